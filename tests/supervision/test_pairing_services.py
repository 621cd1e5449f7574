"""Pairing services and selectors against the real database: limits,
categories, scope, ending, contacts and the no-contact flag."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from lms.core.models import Notice, PersonCategory, Role
from supervision.models import Pairing, PairingContact, UnitPolicy
from supervision.selectors.pairing import pair_rows, pairings_visible_to
from supervision.services import pairing as services
from tests.factories.cases import contact, days_ago, grid_worker, volunteer
from tests.factories.core import UserFactory
from tests.factories.supervision import pair

TODAY = timezone.localdate


@pytest.fixture
def people(org):
    class People:
        mentor = volunteer(org.east_room, "mentor")
        grid1 = grid_worker(org.east_room, "grid1")
        grid2 = grid_worker(org.east_room, "grid2")
        grid3 = grid_worker(org.east_room, "grid3")
        west_grid = grid_worker(org.west_room, "west_grid")

    return People


def create(org, mentor, mentee, **kwargs):
    kwargs.setdefault("actor", org.coordinator)
    kwargs.setdefault("starts_on", TODAY())
    return services.pairing_create(mentor=mentor, mentee=mentee, **kwargs)


def test_a_coordinator_pairs_a_volunteer_with_a_grid_worker(org, people):
    pairing = create(org, people.mentor, people.grid1)
    assert pairing.unit == org.east_room
    assert pairing.created_by == org.coordinator
    assert Notice.objects.filter(person=people.mentor).exists()
    assert Notice.objects.filter(person=people.grid1).exists()


def test_a_third_mentee_is_refused_with_a_sentence(org, people):
    # given a mentor with two grid workers
    create(org, people.mentor, people.grid1)
    create(org, people.mentor, people.grid2)
    # when a third is paired
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        create(org, people.mentor, people.grid3)
    # then it is refused in a sentence naming the mentor
    message = refused.value.message_dict["mentor"][0]
    assert "already mentors 2 grid workers" in message
    assert str(people.mentor) in message
    assert message.endswith(".")
    assert Pairing.objects.count() == 2


def test_a_unit_policy_raises_the_limit(org, people):
    UnitPolicy.objects.create(unit=org.east, mentees_per_mentor=3)
    for mentee in (people.grid1, people.grid2, people.grid3):
        create(org, people.mentor, mentee)
    assert Pairing.objects.filter(mentor=people.mentor).count() == 3


def test_an_ended_pairing_frees_a_place(org, people):
    first = create(org, people.mentor, people.grid1)
    create(org, people.mentor, people.grid2)
    services.pairing_end(actor=org.coordinator, pairing=first, ends_on=TODAY())
    assert create(org, people.mentor, people.grid3).pk


def test_a_grid_worker_already_paired_is_refused(org, people):
    create(org, people.mentor, people.grid1)
    other = volunteer(org.east_room, "other_mentor")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        create(org, other, people.grid1)
    assert "already has a mentor" in refused.value.message_dict["mentee"][0]
    assert Pairing.objects.count() == 1


@pytest.mark.parametrize(
    "category", [PersonCategory.GRID_WORKER, PersonCategory.POLICE, ""]
)
def test_a_mentor_of_the_wrong_category_is_refused(org, people, category):
    wrong = UserFactory(
        username="wrong", home_unit=org.east_room, category=category, roles=["trainee"]
    )
    with pytest.raises(ValidationError) as refused:
        create(org, wrong, people.grid1)
    assert "mentor" in refused.value.message_dict
    assert not Pairing.objects.exists()


def test_a_supervisor_of_any_category_may_mentor(org, people):
    pairing = create(org, org.supervisor, people.grid1)
    assert pairing.mentor == org.supervisor


@pytest.mark.parametrize(
    "category",
    [PersonCategory.VOLUNTEER, PersonCategory.POLICE, PersonCategory.PROFESSIONAL, ""],
)
def test_only_grid_workers_are_paired_as_mentees(org, people, category):
    mentee = UserFactory(
        username="mentee", home_unit=org.east_room, category=category, roles=["trainee"]
    )
    with pytest.raises(ValidationError) as refused:
        create(org, people.mentor, mentee)
    assert "mentee" in refused.value.message_dict


def test_an_inactive_grid_worker_is_refused(org, people):
    people.grid1.is_active = False
    people.grid1.save()
    with pytest.raises(ValidationError):
        create(org, people.mentor, people.grid1)


def test_people_out_of_scope_are_refused(org, people):
    west_mentor = volunteer(org.west_room, "west_mentor")
    with pytest.raises(PermissionDenied):
        create(org, people.mentor, people.west_grid)
    with pytest.raises(PermissionDenied):
        create(org, west_mentor, people.grid1)
    with pytest.raises(PermissionDenied):
        create(org, people.mentor, people.grid1, actor=org.sibling)
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("who", ["leader", "city_leader", "trainee", "supervisor"])
def test_only_coordinators_pair_people(org, people, who):
    with pytest.raises(PermissionDenied):
        create(org, people.mentor, people.grid1, actor=getattr(org, who))


def test_a_pairing_cannot_start_in_the_future_or_pair_someone_with_themselves(
    org, people
):
    with pytest.raises(ValidationError):
        create(
            org, people.mentor, people.grid1, starts_on=TODAY() + datetime.timedelta(1)
        )
    both = UserFactory(
        username="both",
        home_unit=org.east_room,
        category=PersonCategory.GRID_WORKER,
        roles=[Role.SUPERVISOR],
    )
    with pytest.raises(ValidationError):
        create(org, both, both)
    assert not Pairing.objects.exists()


def test_ending_a_pairing_is_checked(org, people):
    pairing = create(org, people.mentor, people.grid1, starts_on=days_ago(5))
    for day in (days_ago(6), TODAY() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.pairing_end(actor=org.coordinator, pairing=pairing, ends_on=day)
    with pytest.raises(PermissionDenied):
        services.pairing_end(actor=org.sibling, pairing=pairing, ends_on=TODAY())
    with pytest.raises(PermissionDenied):
        services.pairing_end(actor=org.leader, pairing=pairing, ends_on=TODAY())
    services.pairing_end(actor=org.coordinator, pairing=pairing, ends_on=TODAY())
    with pytest.raises(ValidationError):
        services.pairing_end(actor=org.coordinator, pairing=pairing, ends_on=TODAY())
    pairing.refresh_from_db()
    assert pairing.ends_on == TODAY()


def test_the_mentor_and_the_grid_worker_log_contacts(org, people):
    pairing = pair(people.mentor, people.grid1, by=org.coordinator)
    for actor in (people.mentor, people.grid1):
        services.pairing_contact_log(
            actor=actor, pairing=pairing, occurred_on=TODAY(), channel="phone"
        )
    assert PairingContact.objects.filter(pairing=pairing).count() == 2


def test_nobody_else_logs_a_contact(org, people):
    pairing = pair(people.mentor, people.grid1, by=org.coordinator)
    for actor in (org.coordinator, org.supervisor, people.grid2):
        with pytest.raises(PermissionDenied):
            services.pairing_contact_log(
                actor=actor, pairing=pairing, occurred_on=TODAY(), channel="phone"
            )
    assert not PairingContact.objects.exists()


@pytest.mark.parametrize(
    ("occurred_on", "channel", "note"),
    [
        (TODAY() + datetime.timedelta(days=1), "phone", ""),
        (days_ago(41), "phone", ""),
        (TODAY(), "pigeon", ""),
        (TODAY(), "phone", "字" * 501),
    ],
)
def test_a_bad_contact_is_refused(org, people, occurred_on, channel, note):
    pairing = pair(people.mentor, people.grid1, by=org.coordinator)  # 40 days ago
    with pytest.raises(ValidationError):
        services.pairing_contact_log(
            actor=people.mentor,
            pairing=pairing,
            occurred_on=occurred_on,
            channel=channel,
            note=note,
        )
    assert not PairingContact.objects.exists()


def test_no_contact_is_logged_on_an_ended_pairing(org, people):
    pairing = pair(people.mentor, people.grid1, by=org.coordinator)
    services.pairing_end(actor=org.coordinator, pairing=pairing, ends_on=TODAY())
    with pytest.raises(ValidationError):
        services.pairing_contact_log(
            actor=people.mentor, pairing=pairing, occurred_on=TODAY(), channel="phone"
        )


def flagged(user) -> dict[str, bool]:
    rows = pair_rows(pairings_visible_to(user=user))
    return {row.pairing.mentee.username: row.flagged for row in rows}


def test_a_pair_is_flagged_after_30_days_without_contact(org, people):
    # given pairs whose last contact was 30 and 31 days ago
    exactly = pair(people.mentor, people.grid1, by=org.coordinator)
    contact(exactly, on=days_ago(30))
    contact(exactly, on=days_ago(35))
    over = pair(org.supervisor, people.grid2, by=org.coordinator)
    contact(over, on=days_ago(31), by=people.grid2)
    # then only the one past the 30 days is flagged
    assert flagged(org.coordinator) == {"grid1": False, "grid2": True}


def test_a_new_pair_counts_from_its_start(org, people):
    pair(people.mentor, people.grid1, by=org.coordinator, days_ago=30)
    pair(org.supervisor, people.grid2, by=org.coordinator, days_ago=31)
    assert flagged(org.coordinator) == {"grid1": False, "grid2": True}


def test_an_ended_pair_is_never_flagged(org, people):
    old = pair(people.mentor, people.grid1, by=org.coordinator, days_ago=100)
    old.ends_on = days_ago(1)
    old.save()
    assert flagged(org.coordinator) == {"grid1": False}


def test_the_units_policy_sets_the_number_of_days(org, people):
    UnitPolicy.objects.create(unit=org.east_room, pairing_contact_days=10)
    pair(people.mentor, people.grid1, by=org.coordinator, days_ago=10)
    pair(org.supervisor, people.grid2, by=org.coordinator, days_ago=11)
    assert flagged(org.coordinator) == {"grid1": False, "grid2": True}


def test_pairings_are_visible_to_the_pair_and_the_units_managers(org, people):
    east = pair(people.mentor, people.grid1, by=org.coordinator)
    west_mentor = volunteer(org.west_room, "west_mentor")
    west = pair(west_mentor, people.west_grid, by=org.sibling)
    assert set(pairings_visible_to(user=people.mentor)) == {east}
    assert set(pairings_visible_to(user=people.grid1)) == {east}
    assert set(pairings_visible_to(user=org.coordinator)) == {east}
    assert set(pairings_visible_to(user=org.leader)) == {east}
    assert set(pairings_visible_to(user=org.city_leader)) == {east, west}
    assert set(pairings_visible_to(user=org.sibling)) == {west}
    assert set(pairings_visible_to(user=org.trainee)) == set()
    assert set(pairings_visible_to(user=people.grid2)) == set()
