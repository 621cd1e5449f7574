"""Supervisor assignments: the two-supervisor rule, who may assign, and
the admin viewset scoped to the coordinator's subtree."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lms.core.models import AuditEvent, Notice, Role
from supervision.models import SupervisionKind, SupervisorAssignment
from supervision.services.supervisions import (
    supervisor_assign,
    supervisor_assignment_end,
)
from tests.factories.core import UserFactory
from tests.factories.supervision import assign, pair
from tests.factories.supervisions import set_policy

P, G = SupervisionKind.PRACTICE, SupervisionKind.GROWTH
TODAY = timezone.localdate


@pytest.fixture
def second(org):
    """A second supervisor of the east station."""
    return UserFactory(
        username="second_supervisor", home_unit=org.east, roles=[Role.SUPERVISOR]
    )


def _assign(org, supervisor, kind, trainee=None, **kwargs):
    return supervisor_assign(
        actor=kwargs.pop("actor", org.coordinator),
        trainee=trainee or org.trainee,
        supervisor=supervisor,
        kind=kind,
        starts_on=kwargs.pop("starts_on", TODAY()),
    )


def test_coordinator_assigns_a_practice_supervisor(org):
    # when
    row = _assign(org, org.supervisor, P)
    # then
    assert row.trainee == org.trainee and row.kind == P and row.ends_on is None
    assert row.created_by == org.coordinator
    assert AuditEvent.objects.filter(object_id=str(row.pk)).exists()
    assert Notice.objects.filter(person=org.supervisor).count() == 1
    assert Notice.objects.filter(person=org.trainee).count() == 1


def test_growth_supervisor_must_differ_from_the_practice_supervisor(org):
    # given
    _assign(org, org.supervisor, P)
    # when / then
    with pytest.raises(ValidationError) as error:
        _assign(org, org.supervisor, G)
    assert "personal-growth supervisor must be someone else" in str(error.value)
    assert str(org.supervisor) in str(error.value)
    assert SupervisorAssignment.objects.filter(kind=G).count() == 0


def test_practice_supervisor_must_differ_from_the_growth_supervisor(org):
    # given
    _assign(org, org.supervisor, G)
    # when / then
    with pytest.raises(ValidationError) as error:
        _assign(org, org.supervisor, P)
    assert "practice supervisor must be someone else" in str(error.value)
    assert SupervisorAssignment.objects.filter(kind=P).count() == 0


def test_different_supervisors_for_the_two_kinds_are_fine(org, second):
    # when
    _assign(org, org.supervisor, P)
    _assign(org, second, G)
    # then
    assert SupervisorAssignment.objects.filter(trainee=org.trainee).count() == 2


def test_a_mentor_holding_the_supervisor_role_counts_as_practice_supervisor(org):
    # given: the supervisor mentors the trainee (一帮二)
    pair(org.supervisor, org.trainee)
    # when / then
    with pytest.raises(ValidationError):
        _assign(org, org.supervisor, G)


def test_the_unit_may_turn_the_two_supervisor_rule_off(org):
    # given: the city lets one person do both; east follows the city
    set_policy(org.city, separate_growth_supervisor=False)
    _assign(org, org.supervisor, P)
    # when
    row = _assign(org, org.supervisor, G)
    # then
    assert row.kind == G


def test_the_rule_of_the_trainees_unit_applies(org):
    # given: only the west station turns the rule off
    set_policy(org.west, separate_growth_supervisor=False)
    _assign(org, org.supervisor, P)
    # when / then
    with pytest.raises(ValidationError):
        _assign(org, org.supervisor, G)


def test_an_ended_assignment_does_not_conflict(org):
    # given
    old = assign(org.trainee, org.supervisor, kind=P, days_ago=60)
    supervisor_assignment_end(
        actor=org.coordinator, assignment=old, ends_on=TODAY() - datetime.timedelta(1)
    )
    # when
    row = _assign(org, org.supervisor, G)
    # then
    assert row.kind == G


def test_an_assignment_ending_after_the_new_start_still_conflicts(org):
    # given: practice supervision ended yesterday; growth would start last week
    old = assign(org.trainee, org.supervisor, kind=P, days_ago=60)
    old.ends_on = TODAY() - datetime.timedelta(days=1)
    old.save()
    # when / then
    with pytest.raises(ValidationError):
        _assign(org, org.supervisor, G, starts_on=TODAY() - datetime.timedelta(7))


def test_the_supervisor_must_hold_the_supervisor_role(org):
    # when / then
    with pytest.raises(ValidationError) as error:
        _assign(org, org.leader, P)
    assert "supervisor role" in str(error.value)


def test_nobody_supervises_themselves(org):
    with pytest.raises(ValidationError):
        _assign(org, org.supervisor, P, trainee=org.supervisor)


def test_a_second_open_assignment_of_the_same_pair_is_refused(org):
    # given
    _assign(org, org.supervisor, P)
    # when / then
    with pytest.raises(ValidationError):
        _assign(org, org.supervisor, P)
    assert SupervisorAssignment.objects.count() == 1


@pytest.mark.parametrize("who", ["leader", "supervisor", "trainee", "sibling"])
def test_only_a_coordinator_over_both_people_assigns(org, who):
    # when / then
    with pytest.raises(PermissionDenied):
        _assign(org, org.supervisor, P, actor=getattr(org, who))
    assert not SupervisorAssignment.objects.exists()


def test_a_coordinator_cannot_assign_a_supervisor_from_outside(org):
    # given
    west_supervisor = UserFactory(home_unit=org.west, roles=[Role.SUPERVISOR])
    # when / then
    with pytest.raises(PermissionDenied):
        _assign(org, west_supervisor, P)


def test_ending_an_assignment_is_checked(org):
    # given
    row = assign(org.trainee, org.supervisor, days_ago=10)
    # when / then: the future, before the start, and twice
    with pytest.raises(ValidationError):
        supervisor_assignment_end(
            actor=org.coordinator,
            assignment=row,
            ends_on=TODAY() + datetime.timedelta(1),
        )
    with pytest.raises(ValidationError):
        supervisor_assignment_end(
            actor=org.coordinator,
            assignment=row,
            ends_on=TODAY() - datetime.timedelta(11),
        )
    with pytest.raises(PermissionDenied):
        supervisor_assignment_end(actor=org.sibling, assignment=row, ends_on=TODAY())
    supervisor_assignment_end(actor=org.coordinator, assignment=row, ends_on=TODAY())
    with pytest.raises(ValidationError):
        supervisor_assignment_end(
            actor=org.coordinator, assignment=row, ends_on=TODAY()
        )
    row.refresh_from_db()
    assert row.ends_on == TODAY()


# -- the admin viewset --------------------------------------------------------

ADMIN = "/admin/supervisor_assignments/"


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_coordinator_lists_only_assignments_in_their_subtree(org, login):
    # given
    east = assign(org.trainee, org.supervisor)
    west_supervisor = UserFactory(home_unit=org.west, roles=[Role.SUPERVISOR])
    west = assign(org.west_trainee, west_supervisor)
    # when
    response = login(org.coordinator).get(ADMIN)
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert f"edit/{east.pk}/" in body
    assert f"edit/{west.pk}/" not in body


def test_a_west_coordinator_gets_404_on_an_east_assignment(org, login):
    # given
    east = assign(org.trainee, org.supervisor)
    client = login(org.sibling)
    # when / then
    assert client.get(f"{ADMIN}edit/{east.pk}/").status_code == 404
    assert (
        client.post(f"{ADMIN}edit/{east.pk}/", {"ends_on": "2020-01-01"}).status_code
        == 404
    )
    assert client.get(f"{ADMIN}history/{east.pk}/").status_code == 404
    east.refresh_from_db()
    assert east.ends_on is None


def test_the_admin_add_form_refuses_the_same_supervisor_for_both_kinds(org, login):
    # given
    assign(org.trainee, org.supervisor, kind=P)
    client = _english(login(org.coordinator))
    # when
    response = client.post(
        f"{ADMIN}new/",
        {
            "trainee": org.trainee.pk,
            "supervisor": org.supervisor.pk,
            "kind": G,
            "starts_on": TODAY().isoformat(),
        },
    )
    # then
    assert response.status_code == 200
    assert (
        "personal-growth supervisor must be someone else" in response.content.decode()
    )
    assert not SupervisorAssignment.objects.filter(kind=G).exists()


def test_the_admin_add_form_saves_through_the_service(org, login):
    # when
    response = login(org.coordinator).post(
        f"{ADMIN}new/",
        {
            "trainee": org.trainee.pk,
            "supervisor": org.supervisor.pk,
            "kind": P,
            "starts_on": TODAY().isoformat(),
        },
    )
    # then
    assert response.status_code == 302
    row = SupervisorAssignment.objects.get()
    assert row.created_by == org.coordinator


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"trainee": "west", "supervisor": "", "kind": "x", "starts_on": "yesterday"},
        {
            "trainee": "999999",
            "supervisor": "999999",
            "kind": P,
            "starts_on": "2025-01-01",
        },
        {"trainee": "1 OR 1=1", "supervisor": "<script>", "kind": P * 100},
    ],
)
def test_the_admin_add_form_refuses_wrong_input(org, login, data):
    # when
    response = _english(login(org.coordinator)).post(f"{ADMIN}new/", data)
    # then
    assert response.status_code == 200
    assert b"<script>" not in response.content
    assert not SupervisorAssignment.objects.exists()


def test_the_admin_add_form_offers_only_people_in_scope(org, login):
    # given
    west_supervisor = UserFactory(home_unit=org.west, roles=[Role.SUPERVISOR])
    # when
    response = login(org.coordinator).post(
        f"{ADMIN}new/",
        {
            "trainee": org.west_trainee.pk,
            "supervisor": west_supervisor.pk,
            "kind": P,
            "starts_on": TODAY().isoformat(),
        },
    )
    # then
    assert response.status_code == 200
    assert not SupervisorAssignment.objects.exists()


def test_the_admin_edit_form_ends_an_assignment(org, login):
    # given
    row = assign(org.trainee, org.supervisor, days_ago=5)
    client = _english(login(org.coordinator))
    # when: before the start is refused with a sentence
    response = client.post(
        f"{ADMIN}edit/{row.pk}/",
        {"ends_on": (TODAY() - datetime.timedelta(days=30)).isoformat()},
    )
    # then
    assert "cannot end before it starts" in response.content.decode()
    # when
    response = client.post(f"{ADMIN}edit/{row.pk}/", {"ends_on": TODAY().isoformat()})
    # then
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.ends_on == TODAY()


@pytest.mark.parametrize("who", ["leader", "trainee", "supervisor"])
def test_people_other_than_coordinators_cannot_open_the_admin(org, login, who):
    # given
    assign(org.trainee, org.supervisor)
    # when
    response = login(getattr(org, who)).get(ADMIN)
    # then: Wagtail answers a lack of permission with a redirect
    assert response.status_code in (302, 403)


def test_the_coordinator_edits_the_technique_catalogue(org, login):
    # given
    client = _english(login(org.coordinator))
    # when
    response = client.post(
        "/admin/techniques/new/",
        {"name": "  空椅子技术 ", "description": "格式塔", "is_active": "on"},
    )
    # then
    assert response.status_code == 302
    # when: the same name again
    response = client.post("/admin/techniques/new/", {"name": "空椅子技术"})
    # then
    assert response.status_code == 200
    assert "already listed" in response.content.decode()
    from supervision.models import Technique

    assert list(Technique.objects.values_list("name", flat=True)) == ["空椅子技术"]
