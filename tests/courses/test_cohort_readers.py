"""Cohorts read by leaders and supervisors (issue 16, items 16 and 17):
leaders read the cohorts of their subtree and their progress grids;
supervisors the cohorts and sessions of the people they supervise, only
those people's rows; nobody reads beside their scope, nobody changes
anything here.

Courses imports nothing from the practice app: who supervises whom comes
through the ``courses_supervisees`` Wagtail hook, which the practice app
registers.  These tests register the same answer it gives
(``supervision.selectors.people.supervisees_of``)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation
from wagtail import hooks

from courses.permissions import can_read_cohort
from courses.selectors import cohorts as selectors
from lms.core.models import Role, User
from lms.core.selectors import people_manageable_by
from supervision.models import SupervisorAssignment
from supervision.selectors.people import supervisees_of
from tests.factories.cohorts import make_cohort
from tests.factories.core import UserFactory
from tests.factories.sessions import make_session
from tests.factories.supervision import assign


def _supervisees(user):
    return supervisees_of(user=user)


@pytest.fixture(autouse=True)
def _supervision_hook():
    with hooks.register_temporarily(selectors.SUPERVISEES_HOOK, _supervisees):
        yield


@pytest.fixture
def client_en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def cohorts(org):
    """The east cohort (the trainee and a classmate), a room cohort, and
    the west cohort; the east supervisor supervises the trainee only."""
    classmate = UserFactory(
        username="classmate", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    east = make_cohort(org.east, name="东区班", members=[org.trainee, classmate])
    room = make_cohort(org.east_room, name="一室班", members=[classmate])
    west = make_cohort(org.west, name="西区班", members=[org.west_trainee])
    assign(org.trainee, org.supervisor)
    return {"east": east, "room": room, "west": west, "classmate": classmate}


def grid(client, cohort):
    return client.get(reverse("cohort_grid:show", args=[cohort.pk]))


# --- leaders (item 16) ---------------------------------------------------------------


def test_a_leader_reads_the_grids_of_their_subtree_and_not_beside_it(
    org, client_en, cohorts
):
    client_en.force_login(org.leader)
    page = grid(client_en, cohorts["east"])
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="read-only"' in body and 'data-testid="edit-cohort"' not in body
    assert org.trainee.full_name in body and cohorts["classmate"].full_name in body
    assert grid(client_en, cohorts["room"]).status_code == 200
    assert grid(client_en, cohorts["west"]).status_code == 404
    export = client_en.get(reverse("cohort_grid:export", args=[cohorts["east"].pk]))
    assert export.status_code == 200
    # a city leader reads both stations'
    client_en.force_login(org.city_leader)
    assert grid(client_en, cohorts["west"]).status_code == 200


def test_the_leaders_cohort_list_shows_the_subtrees_cohorts(org, client_en, cohorts):
    client_en.force_login(org.leader)
    body = client_en.get(reverse("cohort_grid:list")).content.decode()
    assert "东区班" in body and "一室班" in body and "西区班" not in body


def test_writes_stay_with_coordinators(org, client_en, cohorts):
    client_en.force_login(org.leader)
    # the grid pages take no POST, and the admin stays closed to leaders
    assert grid(client_en, cohorts["east"]).status_code == 200
    response = client_en.post(reverse("cohort_grid:show", args=[cohorts["east"].pk]))
    assert response.status_code == 405
    edit = client_en.get(reverse("cohorts:edit", args=[cohorts["east"].pk]))
    assert edit.status_code in (302, 403)
    # the coordinator gets the edit link
    client_en.force_login(org.coordinator)
    body = grid(client_en, cohorts["east"]).content.decode()
    assert 'data-testid="edit-cohort"' in body


# --- supervisors (item 17) ---------------------------------------------------------------


def test_a_supervisor_reads_their_supervisees_cohorts_with_their_rows_only(
    org, client_en, cohorts
):
    client_en.force_login(org.supervisor)
    page = grid(client_en, cohorts["east"])
    assert page.status_code == 200
    rows = page.context["grid"]["rows"]
    assert [row["person"] for row in rows] == [org.trainee]
    body = page.content.decode()
    assert cohorts["classmate"].full_name not in body
    # the export holds the same rows
    export = client_en.get(reverse("cohort_grid:export", args=[cohorts["east"].pk]))
    assert export.status_code == 200
    # a cohort none of their supervisees is in is not there at all
    assert grid(client_en, cohorts["room"]).status_code == 404
    assert grid(client_en, cohorts["west"]).status_code == 404
    listing = client_en.get(reverse("cohort_grid:list")).content.decode()
    assert "东区班" in listing and "一室班" not in listing


def test_a_supervisor_sees_the_sessions_their_supervisees_are_on(
    org, client_en, cohorts
):
    soon = timezone.now() + datetime.timedelta(days=2)
    cohort_session = make_session(
        org.west, title="东区班的团辅", starts_at=soon, cohort=cohorts["east"]
    )
    unit_session = make_session(org.city, title="全市讲座", starts_at=soon)
    make_session(org.west, title="西区讲座", starts_at=soon)
    make_session(
        org.east, title="很久以后", starts_at=soon + datetime.timedelta(days=60)
    )
    rows = selectors.sessions_of_supervisees(user=org.supervisor)
    assert [row["session"] for row in rows] == [cohort_session, unit_session]
    assert all(row["people"] == [org.trainee] for row in rows)
    client_en.force_login(org.supervisor)
    body = client_en.get(reverse("cohort_grid:list")).content.decode()
    assert "东区班的团辅" in body and "全市讲座" in body and "西区讲座" not in body
    # the cohort's page lists its sessions too
    body = grid(client_en, cohorts["east"]).content.decode()
    assert "东区班的团辅" in body


def test_an_ended_supervision_closes_the_cohort_again(org, client_en, cohorts):
    SupervisorAssignment.objects.filter(supervisor=org.supervisor).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client_en.force_login(org.supervisor)
    assert grid(client_en, cohorts["east"]).status_code == 404


# --- everyone else, and the rule's two forms ---------------------------------------------


def test_trainees_and_anonymous_visitors_read_no_grid(org, client_en, cohorts):
    client_en.force_login(org.trainee)
    assert grid(client_en, cohorts["east"]).status_code == 404
    assert client_en.get(reverse("cohort_grid:list")).status_code == 403
    client_en.logout()
    assert grid(client_en, cohorts["east"]).status_code == 302


def test_hostile_unit_filters_are_harmless(org, client_en, cohorts):
    client_en.force_login(org.leader)
    for value in ("abc", "9" * 40, "<script>", str(org.west.pk)):
        response = client_en.get(
            reverse("cohort_grid:show", args=[cohorts["east"].pk]), {"unit": value}
        )
        assert response.status_code in (200, 404)
        assert "<script>" not in response.content.decode()


def test_the_row_and_queryset_forms_of_reading_a_cohort_agree(org, cohorts):
    people = [
        AnonymousUser(),
        *User.objects.all(),
        UserFactory(username="admin", is_superuser=True),
    ]
    for person in people:
        readable = set(selectors.cohorts_readable_by(user=person))
        for cohort in (cohorts["east"], cohorts["room"], cohorts["west"]):
            assert can_read_cohort(person, cohort) == (cohort in readable), (
                person,
                cohort,
            )


# --- the member picker (item 27) ---------------------------------------------------------


def test_the_member_picker_is_searchable_and_shows_unit_and_role(org, client):
    client.force_login(org.coordinator)
    with translation.override("zh-hans"):
        page = client.get(reverse("cohorts:add"))
    body = page.content.decode()
    # a search box and tick boxes, not a Ctrl-click multi-select
    assert 'data-testid="member-search"' in body
    assert '<select name="member_people"' not in body
    assert 'type="checkbox" name="member_people"' in body
    assert "courses/member-picker.js" in body
    # each person with their unit and roles
    field = page.context["form"].fields["member_people"]
    with translation.override("zh-hans"):
        labels = {p.pk: field.label_from_instance(p) for p in field.queryset}
    assert "东区一室" in labels[org.trainee.pk] and "学员" in labels[org.trainee.pk]
    assert "督导师" in labels[org.supervisor.pk]
    # only people in the coordinator's scope
    assert org.west_trainee.pk not in labels and org.sibling.pk not in labels
    assert set(labels) == set(
        people_manageable_by(user=org.coordinator).values_list("pk", flat=True)
    )


def test_a_hostile_name_in_the_picker_is_escaped(org, client):
    UserFactory(
        username="evil", full_name="<script>alert(1)</script>", home_unit=org.east
    )
    client.force_login(org.coordinator)
    body = client.get(reverse("cohorts:add")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
