"""The supervisor's inbox: its four sections, oldest first, approve and
return in place (back through ``next``), bulk approval of plain entries,
and a query count that does not grow with the number of items."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.core.models import HoursEntry, Role
from supervision.models import (
    PracticeEntry,
    TechniqueMastery,
    VideoLessonSubmission,
)
from supervision.selectors.inbox import SECTION_ROWS
from tests.factories.core import UserFactory
from tests.factories.reviews import make_submission
from tests.factories.supervision import (
    assign,
    make_case,
    make_entry,
    make_technique,
)

INBOX = "/practice/inbox/"
Status = PracticeEntry.Status


def pending(person, *, hours_ago=1, **fields):
    return make_entry(
        person,
        status=Status.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        **fields,
    )


def unsupervised(person, approver, *, days_ago=10):
    return make_entry(
        person,
        status=Status.APPROVED,
        approved_by=approver,
        occurred_on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )


def mastery(person, name="空椅子技术", *, days_ago=1):
    return TechniqueMastery.objects.create(
        person=person,
        technique=make_technique(name),
        reached_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def fill(supervisor, unit, count: int, *, start: int = 0) -> None:
    """``count`` supervised trainees, each with one item of every section."""
    for i in range(start, start + count):
        trainee = UserFactory(home_unit=unit, roles=[Role.TRAINEE])
        assign(trainee, supervisor)
        pending(trainee, hours_ago=i)
        unsupervised(trainee, supervisor, days_ago=10 + i)
        make_submission(trainee, days_ago=i)
        mastery(trainee, name=f"技术{i}")


def pks(html: str, testid: str) -> list[int]:
    marker = f'data-testid="{testid}" data-pk="'
    return [int(part.split('"', 1)[0]) for part in html.split(marker)[1:]]


@pytest.fixture
def team(org):
    assign(org.trainee, org.supervisor)
    return org


# --- who gets in ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("trainee", 403),
        ("coordinator", 403),
        ("leader", 403),
        ("city_leader", 403),
        ("sibling", 403),
    ],
)
def test_the_inbox_is_for_supervisors(team, login, who, status):
    assert login(getattr(team, who)).get(INBOX).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, team):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_empty_inbox_says_so(team, login):
    html = login(team.supervisor).get(INBOX).content.decode()
    assert 'data-testid="inbox-empty"' in html


def test_another_supervisors_trainees_stay_out_of_the_inbox(team, login):
    # given: someone else's trainee with one item of every kind
    other = UserFactory(home_unit=team.east, roles=[Role.SUPERVISOR])
    theirs = UserFactory(home_unit=team.east_room, roles=[Role.TRAINEE])
    fill(other, team.east_room, 1)
    assign(theirs, other)
    pending(theirs)
    # when
    sections = login(team.supervisor).get(INBOX).context["sections"]
    # then
    assert all(section.total == 0 for section in sections.values())


# --- the sections ---------------------------------------------------------------------


def test_each_section_lists_its_items_oldest_first(team, login):
    # given
    newer, older = (
        pending(team.trainee, hours_ago=1),
        pending(team.trainee, hours_ago=5),
    )
    recent = unsupervised(team.trainee, team.supervisor, days_ago=9)
    old = unsupervised(team.trainee, team.supervisor, days_ago=30)
    unsupervised(team.trainee, team.supervisor, days_ago=2)  # not due yet
    new_video = make_submission(team.trainee, days_ago=0)
    old_video = make_submission(team.trainee, days_ago=3)
    make_submission(team.trainee, ready=False)  # not ready: not listed
    new_mastery, old_mastery = (
        mastery(team.trainee, "焦点解决", days_ago=1),
        mastery(team.trainee, "空椅子技术", days_ago=4),
    )
    # when
    html = login(team.supervisor).get(INBOX).content.decode()
    # then
    assert pks(html, "signoff-row") == [older.pk, newer.pk]
    assert pks(html, "supervision-row") == [old.pk, recent.pk]
    assert pks(html, "video-row") == [old_video.pk, new_video.pk]
    assert pks(html, "mastery-row") == [old_mastery.pk, new_mastery.pk]
    assert 'data-testid="total-signoffs">2<' in html
    assert 'data-testid="total-videos">2<' in html


def test_only_plain_entries_can_be_ticked_for_bulk_approval(team, login):
    plain = pending(team.trainee)
    case = make_case(team.trainee)
    observed = pending(team.trainee, kind=PracticeEntry.Kind.OBSERVATION, case=case)
    sections = login(team.supervisor).get(INBOX).context["sections"]
    plainness = {e.pk: e.plain for e in sections["signoffs"].rows}
    assert plainness == {plain.pk: True, observed.pk: False}


def test_a_section_shows_its_first_rows_and_the_total(team, login):
    for i in range(SECTION_ROWS + 3):
        pending(team.trainee, hours_ago=i)
    response = login(team.supervisor).get(INBOX)
    signoffs = response.context["sections"]["signoffs"]
    assert (len(signoffs.rows), signoffs.total, signoffs.more) == (SECTION_ROWS, 53, 3)
    assert 'data-testid="more-signoffs"' in response.content.decode()


def test_the_query_count_does_not_grow_with_the_items(team, login):
    # given
    client = login(team.supervisor)
    fill(team.supervisor, team.east_room, 3)
    client.get(INBOX)

    def count() -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INBOX)
        assert response.status_code == 200
        return len(queries), response.context["sections"]

    few, sections = count()
    assert [s.total for s in sections.values()] == [3, 3, 3, 3]
    # when: ten times as many, from ten times as many trainees
    fill(team.supervisor, team.east_room, 27, start=3)
    many, sections = count()
    # then
    assert [s.total for s in sections.values()] == [30, 30, 30, 30]
    assert many == few


# --- acting in place ---------------------------------------------------------------------


def test_approving_in_place_comes_back_to_the_inbox(team, login):
    # given
    entry = pending(team.trainee)
    client = login(team.supervisor)
    # when
    response = client.post(
        reverse("supervision:entry_approve", args=[entry.pk]), {"next": INBOX}
    )
    # then
    assert response["Location"] == INBOX
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED
    assert pks(client.get(INBOX).content.decode(), "signoff-row") == []


def test_returning_in_place_needs_a_comment_and_comes_back_to_the_inbox(team, login):
    entry = pending(team.trainee)
    client = login(team.supervisor)
    url = reverse("supervision:entry_return", args=[entry.pk])
    refused = client.post(url, {"comment": "", "next": INBOX})
    assert refused["Location"] == INBOX
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    done = client.post(url, {"comment": "请补充反思", "next": INBOX})
    assert done["Location"] == INBOX
    entry.refresh_from_db()
    assert entry.status == Status.RETURNED


def test_the_forms_on_the_page_post_where_they_should(team, login):
    entry = pending(team.trainee)
    video = make_submission(team.trainee)
    row = mastery(team.trainee)
    html = login(team.supervisor).get(INBOX).content.decode()
    for url in (
        reverse("supervision:entry_approve", args=[entry.pk]),
        reverse("supervision:entry_return", args=[entry.pk]),
        reverse("supervision:entry_bulk_approve"),
        reverse("supervision:video_lesson_approve", args=[video.pk]),
        reverse("supervision:video_lesson_return", args=[video.pk]),
        reverse("supervision:mastery_confirm", args=[row.pk]),
    ):
        assert f'action="{url}"' in html
    assert html.count(f'name="next" value="{INBOX}"') == 6


def test_bulk_approval_of_the_ticked_entries(team, login):
    # given
    first, second, left = (pending(team.trainee) for _ in range(3))
    client = login(team.supervisor)
    name = _bulk_field_name(client)
    # when
    response = client.post(
        reverse("supervision:entry_bulk_approve"),
        {name: [first.pk, second.pk], "next": INBOX},
    )
    # then
    assert response["Location"] == INBOX
    statuses = dict(PracticeEntry.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.APPROVED,
        second.pk: Status.APPROVED,
        left.pk: Status.SUBMITTED,
    }
    assert HoursEntry.objects.filter(person=team.trainee).count() == 2


def _bulk_field_name(client) -> str:
    """The checkboxes' name, read from the page (what a browser sends)."""
    html = client.get(INBOX).content.decode()
    return html.split('type="checkbox" name="', 1)[1].split('"', 1)[0]


def test_confirming_a_mastery_in_place_comes_back_to_the_inbox(team, login):
    row = mastery(team.trainee)
    client = login(team.supervisor)
    response = client.post(
        reverse("supervision:mastery_confirm", args=[row.pk]), {"next": INBOX}
    )
    assert response["Location"] == INBOX
    row.refresh_from_db()
    assert row.confirmed_by == team.supervisor


def test_approving_a_video_lesson_in_place_empties_its_row(team, login):
    video = make_submission(team.trainee)
    client = login(team.supervisor)
    client.post(
        reverse("supervision:video_lesson_approve", args=[video.pk]), {"next": INBOX}
    )
    video.refresh_from_db()
    assert video.status == VideoLessonSubmission.Status.APPROVED
    assert pks(client.get(INBOX).content.decode(), "video-row") == []
