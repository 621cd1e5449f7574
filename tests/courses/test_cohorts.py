"""Cohorts: release dates and deadlines in Asia/Shanghai, the admin, the
progress grid and its export, and the daily reminders."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from courses.models import Cohort, CohortMember, LessonProgress, ReminderSent
from courses.selectors.cohorts import cohort_grid
from courses.selectors.learn import Schedule
from courses.services import cohorts as svc
from lms.core.models import HoursCategory
from lms.core.services.ledger import hours_credit
from tests.factories.cohorts import assign, make_cohort
from tests.factories.core import UserFactory
from tests.factories.courses import (
    make_lesson,
    make_module,
    make_ready_video,
    make_syllabus,
)

UTC = datetime.UTC
MARCH_1 = datetime.date(2026, 3, 1)


@pytest.fixture
def course(org):
    module = make_module(make_syllabus(), "心理服务理论与技能")
    video = make_ready_video(org.city)
    return {
        "module": module,
        "video": video,
        "stress": make_lesson(module, "压力管理", video=video),
        "emotion": make_lesson(module, "情绪管理", video=video),
    }


@pytest.fixture
def at(monkeypatch):
    """Pretend the clock shows the given UTC time."""

    def _at(*args):
        moment = datetime.datetime(*args, tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return _at


def test_a_lesson_opens_at_midnight_shanghai_not_utc(org, course, at):
    cohort = make_cohort(org.east, members=[org.trainee])
    assign(cohort, course["stress"], release_on=MARCH_1)
    # 23:59 on 28 February in Shanghai (15:59 UTC): still locked, with its date
    at(2026, 2, 28, 15, 59)
    assert Schedule.for_user(org.trainee).opens_on(course["stress"]) == MARCH_1
    # 00:00 on 1 March in Shanghai (16:00 UTC on 28 February): open
    at(2026, 2, 28, 16, 0)
    assert Schedule.for_user(org.trainee).opens_on(course["stress"]) is None


def test_a_deadline_passes_at_the_end_of_the_shanghai_day(org, course, at):
    cohort = make_cohort(org.east, members=[org.trainee])
    assign(
        cohort, course["module"], release_on=datetime.date(2026, 2, 1), due_on=MARCH_1
    )
    at(2026, 3, 1, 15, 59)  # 23:59 on 1 March in Shanghai
    assert not cohort_grid(cohort=cohort)["rows"][0]["overdue"]
    at(2026, 3, 1, 16, 0)  # 00:00 on 2 March
    assert cohort_grid(cohort=cohort)["rows"][0]["overdue"]


def test_a_module_assignment_covers_its_lessons_and_others_stay_open(org, course, at):
    at(2026, 2, 1, 0, 0)
    other = make_lesson(make_module(make_syllabus(), "个人成长"), "自我觉察")
    cohort = make_cohort(org.east, members=[org.trainee])
    assign(cohort, course["module"], release_on=MARCH_1)
    schedule = Schedule.for_user(org.trainee)
    assert schedule.opens_on(course["emotion"]) == MARCH_1
    assert schedule.opens_on(other) is None
    # people outside the cohort are not held back by it
    assert Schedule.for_user(org.west_trainee).opens_on(course["emotion"]) is None


def test_an_unreleased_lesson_is_visible_but_locked_with_its_date(
    org, course, login, at
):
    at(2026, 2, 1, 0, 0)
    cohort = make_cohort(org.east, members=[org.trainee])
    assign(cohort, course["stress"], release_on=MARCH_1)
    client = login(org.trainee)
    page = client.get(course["stress"].url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="locked"' in html and "2026-03-01" in html
    assert 'id="lesson-video"' not in html
    report = client.post(
        reverse("courses:progress_report", args=[course["stress"].pk]),
        data={"token": page.context["view_token"], "ranges": [[0, 5]]},
        content_type="application/json",
    )
    assert report.status_code == 403
    home = client.get(reverse("courses:learn")).content.decode()
    assert 'data-testid="cohort"' in home and "2026-03-01" in home


def test_the_database_refuses_a_deadline_before_the_release(org, course):
    from django.db import IntegrityError, transaction

    cohort = make_cohort(org.east)
    with pytest.raises(IntegrityError), transaction.atomic():
        assign(
            cohort,
            course["stress"],
            release_on=MARCH_1,
            due_on=datetime.date(2026, 2, 1),
        )


def cohort_form(org, course, **fields):
    data = nested_form_data(
        {
            "name": "2026 新警心理专题训练班",
            "unit": org.east.pk,
            "mode": "online",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "description": "",
            "assignments": inline_formset(
                [
                    {
                        "page": course["module"].pk,
                        "release_on": "2026-01-05",
                        "due_on": "2026-02-28",
                    }
                ]
            ),
        }
    )
    data.setdefault("member_people", [org.trainee.pk])
    data.update(fields)
    return data


def test_coordinator_builds_a_cohort_in_the_admin(org, course, login):
    client = login(org.coordinator)
    assert client.get(reverse("cohorts:add")).status_code == 200
    response = client.post(reverse("cohorts:add"), cohort_form(org, course))
    assert response.status_code == 302, (
        response.context and response.context["form"].errors
    )
    cohort = Cohort.objects.get()
    assert list(cohort.members.all()) == [org.trainee]
    assert cohort.assignments.get().page_id == course["module"].pk
    assert cohort.created_by == org.coordinator


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"ends_on": "2025-12-31"}, "ends_on"),
        ({"name": ""}, "name"),
        ({"starts_on": "not a date"}, "starts_on"),
        ({"member_people": ["west"]}, "member_people"),
        ({"unit": "west"}, "unit"),
    ],
)
def test_bad_cohort_input_is_refused_and_nothing_is_written(
    org, course, login, fields, field
):
    fields = {
        key: (
            [org.west_trainee.pk]
            if value == ["west"]
            else org.west.pk
            if value == "west"
            else value
        )
        for key, value in fields.items()
    }
    response = login(org.coordinator).post(
        reverse("cohorts:add"), cohort_form(org, course, **fields)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Cohort.objects.exists()


def test_a_deadline_before_the_release_is_refused_in_the_admin(org, course, login):
    data = cohort_form(org, course)
    data["assignments-0-due_on"] = "2026-01-01"
    response = login(org.coordinator).post(reverse("cohorts:add"), data)
    assert response.status_code == 200
    assert not Cohort.objects.exists()


def test_the_service_refuses_members_outside_the_actors_units(org):
    from django.core.exceptions import ValidationError

    cohort = make_cohort(org.east)
    with pytest.raises(ValidationError):
        svc.cohort_set_members(
            actor=org.coordinator, cohort=cohort, members=[org.west_trainee]
        )
    assert not CohortMember.objects.exists()


@pytest.fixture
def grid_cohort(org, course):
    cohort = make_cohort(org.east, members=[org.trainee])
    assign(
        cohort,
        course["module"],
        release_on=datetime.date(2026, 1, 1),
        due_on=datetime.date(2026, 2, 1),
    )
    assign(cohort, course["stress"], release_on=datetime.date(2026, 1, 1), position=1)
    return cohort


def test_the_grid_shows_completion_hours_and_overdue(org, course, grid_cohort, login):
    LessonProgress.objects.create(
        person=org.trainee, lesson=course["stress"], completed_at=timezone.now()
    )
    hours_credit(
        person=org.trainee,
        category=HoursCategory.ONLINE_THEORY,
        hours="0.5",
        source=course["stress"],
        earned_on=datetime.date(2026, 1, 10),
    )
    response = login(org.coordinator).get(
        reverse("cohort_grid:show", args=[grid_cohort.pk])
    )
    row = response.context["grid"]["rows"][0]
    assert [(c["done"], c["total"]) for c in row["cells"]] == [(1, 2), (1, 1)]
    assert row["cells"][0]["overdue"] and not row["cells"][1]["overdue"]
    assert row["hours"] == Decimal("0.5")
    assert "cell-overdue" in response.content.decode()


def test_the_grid_query_count_does_not_grow_with_members(org, grid_cohort, login):
    client = login(org.coordinator)
    url = reverse("cohort_grid:show", args=[grid_cohort.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for _ in range(25):
        CohortMember.objects.create(
            cohort=grid_cohort, person=UserFactory(home_unit=org.east_room)
        )
    assert count() == before


def test_the_grid_filters_by_unit(org, grid_cohort, login):
    CohortMember.objects.create(cohort=grid_cohort, person=org.coordinator)
    response = login(org.coordinator).get(
        reverse("cohort_grid:show", args=[grid_cohort.pk]), {"unit": org.east_room.pk}
    )
    assert [r["person"] for r in response.context["grid"]["rows"]] == [org.trainee]
    # a sibling unit's id in the filter is a 404, not a silent empty grid
    assert (
        login(org.coordinator)
        .get(reverse("cohort_grid:show", args=[grid_cohort.pk]), {"unit": org.west.pk})
        .status_code
        == 404
    )


def test_the_export_neutralises_formulas(org, grid_cohort, login):
    evil = UserFactory(
        home_unit=org.east_room, full_name='=HYPERLINK("http://x","点我")'
    )
    CohortMember.objects.create(cohort=grid_cohort, person=evil)
    response = login(org.coordinator).get(
        reverse("cohort_grid:export", args=[grid_cohort.pk])
    )
    sheet = load_workbook(BytesIO(response.content)).active
    names = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert '\'=HYPERLINK("http://x","点我")' in names
    assert all(not str(n).startswith("=") for n in names)


@pytest.mark.parametrize(
    ("user", "status"), [("trainee", 404), ("supervisor", 404), ("leader", 200)]
)
def test_coordinators_and_leaders_read_the_grid(org, grid_cohort, login, user, status):
    # leaders of the subtree read it (issue 16); a member, or a supervisor of
    # no member, finds no such page (tests/courses/test_cohort_readers.py)
    url = reverse("cohort_grid:show", args=[grid_cohort.pk])
    assert login(getattr(org, user)).get(url).status_code == status


def test_a_sibling_coordinator_gets_404(org, grid_cohort, login):
    url = reverse("cohort_grid:show", args=[grid_cohort.pk])
    assert login(org.sibling).get(url).status_code == 404


def test_reminders_go_out_once_per_day(org, grid_cohort, mailoutbox):
    grid_cohort.coordinators.add(org.coordinator)
    today = datetime.date(2026, 3, 1)
    assert svc.cohort_reminders_send(today=today) == {"behind": 1, "digest": 1}
    assert svc.cohort_reminders_send(today=today) == {"behind": 0, "digest": 0}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [org.trainee.email, org.coordinator.email]
    )
    assert (
        "压力管理" in mailoutbox[0].body or "心理服务理论与技能" in mailoutbox[0].body
    )
    # the next day they are reminded again
    tomorrow = today + datetime.timedelta(days=1)
    assert svc.cohort_reminders_send(today=tomorrow) == {"behind": 1, "digest": 1}
    assert ReminderSent.objects.count() == 4


def test_no_reminder_for_members_on_schedule(org, course, mailoutbox):
    cohort = make_cohort(org.east, members=[org.trainee])
    assign(
        cohort,
        course["stress"],
        release_on=datetime.date(2026, 1, 1),
        due_on=datetime.date(2026, 2, 1),
    )
    LessonProgress.objects.create(
        person=org.trainee, lesson=course["stress"], completed_at=timezone.now()
    )
    assert svc.cohort_reminders_send(today=datetime.date(2026, 3, 1)) == {
        "behind": 0,
        "digest": 0,
    }
    assert mailoutbox == []


@pytest.mark.worker
def test_a_real_worker_sends_the_daily_reminders_once(
    celery_worker_process, org, course
):
    from pathlib import Path

    from django.conf import settings

    from courses.tasks import cohort_reminders_task
    from tests.conftest import wait_for

    # given a cohort running today with a member past a deadline
    today = timezone.localdate()
    cohort = make_cohort(
        org.east,
        members=[org.trainee],
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
    )
    assign(
        cohort,
        course["stress"],
        release_on=today - datetime.timedelta(days=20),
        due_on=today - datetime.timedelta(days=1),
    )
    mail_dir = Path(settings.VAR_DIR) / "test-mail"
    before = set(mail_dir.glob("*")) if mail_dir.exists() else set()

    def reminders():
        files = set(mail_dir.glob("*")) - before if mail_dir.exists() else set()
        return [f for f in files if org.trainee.email in f.read_text()]

    # when the beat job runs twice
    cohort_reminders_task.delay()
    assert wait_for(lambda: ReminderSent.objects.exists())
    cohort_reminders_task.delay()
    assert wait_for(lambda: len(reminders()) >= 1)
    import time

    time.sleep(2)
    # then one reminder went out
    assert len(reminders()) == 1
    assert ReminderSent.objects.filter(person=org.trainee).count() == 1
