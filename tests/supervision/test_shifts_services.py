"""Duty shifts: signing up, the waiting list and its promotion, cancelling
before the cut-off, swaps, and the coordinators' planning services.

Services take ``now``; shifts here start two days after ``T0``."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from lms.core.models import Notice
from supervision.models import DutyShift, ShiftSignup, ShiftSwap
from supervision.services import shifts as services
from supervision.services import shifts_admin
from supervision.tasks import shift_swaps_expire_task
from tests.conftest import Org
from tests.factories.shifts import T0, make_trainee, set_policy
from tests.factories.supervision import make_shift, make_signup

S = ShiftSignup.Status
W = ShiftSwap.Status
HOUR = datetime.timedelta(hours=1)
START = T0 + datetime.timedelta(days=2)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def shift(org):
    """An east shift with one place, starting two days after T0."""
    return make_shift(org.east, starts_at=START, capacity=1, supervisor=org.supervisor)


@pytest.fixture
def people(org):
    """Three more east trainees: a, b, c."""
    return [make_trainee(org.east_room, name) for name in ("a", "b", "c")]


def message(refused) -> str:
    return " ".join(refused.value.messages)


def status_of(shift, person) -> str:
    return ShiftSignup.objects.get(shift=shift, person=person).status


# --- sign up ---------------------------------------------------------------------


def test_a_trainee_of_the_centre_signs_up_while_places_are_left(org, shift):
    row = services.shift_signup(actor=org.trainee, shift=shift, now=T0)
    assert row.status == S.SIGNED_UP and row.queued_at == T0


def test_signing_up_twice_keeps_the_one_row(org, shift):
    first = services.shift_signup(actor=org.trainee, shift=shift, now=T0)
    again = services.shift_signup(actor=org.trainee, shift=shift, now=T0 + HOUR)
    assert again.pk == first.pk and again.queued_at == T0
    assert ShiftSignup.objects.count() == 1


def test_when_full_the_next_person_joins_the_waiting_list(org, shift, people):
    services.shift_signup(actor=org.trainee, shift=shift, now=T0)
    row = services.shift_signup(actor=people[0], shift=shift, now=T0)
    assert row.status == S.WAITLISTED


@pytest.mark.parametrize("who", ["west_trainee", "supervisor", "coordinator"])
def test_people_outside_the_centre_or_without_the_trainee_role_cannot_sign_up(
    org, shift, who
):
    with pytest.raises(PermissionDenied):
        services.shift_signup(actor=getattr(org, who), shift=shift, now=T0)
    assert not ShiftSignup.objects.exists()


def test_a_room_trainee_may_sign_up_at_the_city_centre_but_not_the_reverse(org):
    city = make_shift(org.city, starts_at=START)
    room = make_shift(org.east_room, starts_at=START)
    station_trainee = make_trainee(org.east, "station")
    assert services.shift_signup(actor=org.trainee, shift=city, now=T0)
    with pytest.raises(PermissionDenied):
        services.shift_signup(actor=station_trainee, shift=room, now=T0)


def test_no_sign_up_after_the_start_or_on_a_cancelled_shift(org, shift):
    with pytest.raises(ValidationError) as refused:
        services.shift_signup(actor=org.trainee, shift=shift, now=START)
    assert "already started" in message(refused)
    DutyShift.objects.filter(pk=shift.pk).update(cancelled_at=T0)
    with pytest.raises(ValidationError) as refused:
        services.shift_signup(actor=org.trainee, shift=shift, now=T0)
    assert "cancelled" in message(refused)
    assert not ShiftSignup.objects.exists()


def test_signing_up_again_after_cancelling_reuses_the_row(org, shift, people):
    services.shift_signup(actor=org.trainee, shift=shift, now=T0)
    services.shift_cancel(actor=org.trainee, shift=shift, now=T0)
    row = services.shift_signup(actor=org.trainee, shift=shift, now=T0 + HOUR)
    assert row.status == S.SIGNED_UP and row.queued_at == T0 + HOUR
    assert ShiftSignup.objects.count() == 1


def test_two_people_taking_the_last_place_at_once_one_waits(transactional_db):
    org = Org()
    shift = make_shift(org.east, starts_at=START, capacity=1)
    rivals = [org.trainee, make_trainee(org.east_room, "rival")]
    barrier = threading.Barrier(2)
    errors = []

    def take(person):
        try:
            barrier.wait(timeout=10)
            services.shift_signup(actor=person, shift=shift, now=T0)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in rivals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    statuses = sorted(ShiftSignup.objects.values_list("status", flat=True))
    assert statuses == [S.SIGNED_UP, S.WAITLISTED]


# --- cancel and the waiting list ---------------------------------------------------


def test_cancelling_promotes_the_oldest_waiting_person_with_a_notice(
    org, shift, people
):
    make_signup(shift, org.trainee)
    a, b, c = people
    for offset, person in ((3, c), (1, a), (2, b)):
        make_signup(shift, person, status=S.WAITLISTED)
        ShiftSignup.objects.filter(person=person).update(
            queued_at=T0 - datetime.timedelta(hours=10 - offset)
        )
    services.shift_cancel(actor=org.trainee, shift=shift, now=T0)
    assert status_of(shift, org.trainee) == S.CANCELLED
    assert status_of(shift, a) == S.SIGNED_UP
    assert status_of(shift, b) == S.WAITLISTED and status_of(shift, c) == S.WAITLISTED
    notice = Notice.objects.get(person=a)
    assert "waiting list" in notice.text and notice.url == "/practice/shifts/"
    assert not Notice.objects.filter(person__in=[b, c]).exists()


def test_leaving_the_waiting_list_promotes_nobody(org, shift, people):
    make_signup(shift, org.trainee)
    make_signup(shift, people[0], status=S.WAITLISTED)
    make_signup(shift, people[1], status=S.WAITLISTED)
    services.shift_cancel(actor=people[0], shift=shift, now=T0)
    assert status_of(shift, people[1]) == S.WAITLISTED
    assert not Notice.objects.exists()


def test_cancelling_after_the_cut_off_is_refused_with_what_to_do(org, shift):
    make_signup(shift, org.trainee)
    late = START - datetime.timedelta(hours=23)
    with pytest.raises(ValidationError) as refused:
        services.shift_cancel(actor=org.trainee, shift=shift, now=late)
    assert "too late to cancel" in message(refused)
    assert "24 hours" in message(refused) and "ask the coordinator" in message(refused)
    assert status_of(shift, org.trainee) == S.SIGNED_UP


def test_the_cut_off_follows_the_units_rules(org, shift):
    set_policy(org.city, cancel_cutoff_hours=2)
    make_signup(shift, org.trainee)
    services.shift_cancel(
        actor=org.trainee, shift=shift, now=START - datetime.timedelta(hours=3)
    )
    assert status_of(shift, org.trainee) == S.CANCELLED


def test_cancelling_without_a_place_is_refused(org, shift):
    with pytest.raises(ValidationError) as refused:
        services.shift_cancel(actor=org.trainee, shift=shift, now=T0)
    assert "no place" in message(refused)


def test_raising_the_capacity_promotes_from_the_waiting_list(org, shift, people):
    make_signup(shift, org.trainee)
    make_signup(shift, people[0], status=S.WAITLISTED)
    shifts_admin.shift_update(
        actor=org.coordinator,
        shift=shift,
        unit=shift.unit,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        place=shift.place,
        capacity=2,
        supervisor=org.supervisor,
        now=T0,
    )
    assert status_of(shift, people[0]) == S.SIGNED_UP
    assert Notice.objects.filter(person=people[0]).exists()


def test_the_capacity_cannot_go_below_the_places_taken(org, people):
    shift = make_shift(org.east, starts_at=START, capacity=2)
    make_signup(shift, people[0])
    make_signup(shift, people[1])
    with pytest.raises(ValidationError) as refused:
        shifts_admin.shift_update(
            actor=org.coordinator,
            shift=shift,
            unit=shift.unit,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            place=shift.place,
            capacity=1,
        )
    assert "cannot be fewer" in message(refused)


# --- swaps -------------------------------------------------------------------------


@pytest.fixture
def offered(org, shift, people):
    """The trainee holds the place and offers it to a."""
    make_signup(shift, org.trainee)
    return services.shift_swap_offer(
        actor=org.trainee, shift=shift, to_person=people[0], now=T0
    )


def test_an_offer_tells_the_taker(org, offered, people):
    assert offered.status == W.OFFERED
    assert "offers you their place" in Notice.objects.get(person=people[0]).text


def test_accepting_moves_the_place(org, shift, offered, people):
    row = services.shift_swap_accept(actor=people[0], swap=offered, now=T0)
    assert row.status == S.SIGNED_UP and row.person == people[0]
    assert status_of(shift, org.trainee) == S.SWAPPED_OUT
    offered.refresh_from_db()
    assert offered.status == W.ACCEPTED and offered.decided_at == T0
    assert "took your place" in Notice.objects.get(person=org.trainee).text


def test_accepting_reuses_the_takers_cancelled_row(org, shift, people):
    make_signup(shift, org.trainee)
    old = make_signup(shift, people[0], status=S.CANCELLED)
    swap = services.shift_swap_offer(
        actor=org.trainee, shift=shift, to_person=people[0], now=T0
    )
    row = services.shift_swap_accept(actor=people[0], swap=swap, now=T0)
    assert row.pk == old.pk and row.status == S.SIGNED_UP


def test_a_waitlisted_person_may_be_offered_the_place(org, shift, people):
    make_signup(shift, org.trainee)
    make_signup(shift, people[0], status=S.WAITLISTED)
    swap = services.shift_swap_offer(
        actor=org.trainee, shift=shift, to_person=people[0], now=T0
    )
    services.shift_swap_accept(actor=people[0], swap=swap, now=T0)
    assert status_of(shift, people[0]) == S.SIGNED_UP
    assert ShiftSignup.objects.filter(shift=shift, status=S.SIGNED_UP).count() == 1


def test_declining_keeps_the_place_with_the_offerer(org, shift, offered, people):
    services.shift_swap_decline(actor=people[0], swap=offered, now=T0)
    offered.refresh_from_db()
    assert offered.status == W.DECLINED
    assert status_of(shift, org.trainee) == S.SIGNED_UP
    assert "declined" in Notice.objects.get(person=org.trainee).text


def test_the_offerer_may_withdraw_and_then_nobody_can_accept(org, offered, people):
    services.shift_swap_withdraw(actor=org.trainee, swap=offered, now=T0)
    with pytest.raises(ValidationError) as refused:
        services.shift_swap_accept(actor=people[0], swap=offered, now=T0)
    assert "no longer open" in message(refused)


def test_an_offer_lapses_at_the_start(org, shift, offered, people):
    with pytest.raises(ValidationError) as refused:
        services.shift_swap_accept(actor=people[0], swap=offered, now=START)
    assert "lapsed" in message(refused)
    offered.refresh_from_db()
    assert offered.status == W.EXPIRED
    assert status_of(shift, org.trainee) == S.SIGNED_UP


def test_the_expiry_sweep_stores_lapsed_offers_only(org, offered, people):
    later = make_shift(org.east, starts_at=START + datetime.timedelta(days=7))
    make_signup(later, people[1])
    open_offer = ShiftSwap.objects.create(
        signup=ShiftSignup.objects.get(shift=later), to_person=people[2]
    )
    assert services.shift_swaps_expire(now=START + HOUR) == 1
    offered.refresh_from_db()
    open_offer.refresh_from_db()
    assert offered.status == W.EXPIRED and open_offer.status == W.OFFERED


def test_the_periodic_task_expires_offers_of_started_shifts_only(org, people):
    from django.utils import timezone

    now = timezone.now()
    past = make_shift(org.east, starts_at=now - HOUR)
    future = make_shift(org.east, starts_at=now + 48 * HOUR)
    swaps = [
        ShiftSwap.objects.create(
            signup=make_signup(shift, people[0]), to_person=people[1]
        )
        for shift in (past, future)
    ]
    assert shift_swaps_expire_task() == 1
    assert shift_swaps_expire_task() == 0
    assert [ShiftSwap.objects.get(pk=s.pk).status for s in swaps] == [
        W.EXPIRED,
        W.OFFERED,
    ]


def test_only_the_person_offered_may_answer_and_only_the_offerer_withdraw(
    org, offered, people
):
    with pytest.raises(PermissionDenied):
        services.shift_swap_accept(actor=people[1], swap=offered, now=T0)
    with pytest.raises(PermissionDenied):
        services.shift_swap_decline(actor=org.trainee, swap=offered, now=T0)
    with pytest.raises(PermissionDenied):
        services.shift_swap_withdraw(actor=people[0], swap=offered, now=T0)
    offered.refresh_from_db()
    assert offered.status == W.OFFERED


@pytest.mark.parametrize("target", ["west_trainee", "supervisor", "self", "holder"])
def test_a_place_can_only_be_offered_to_an_eligible_member_not_on_the_shift(
    org, people, target
):
    shift = make_shift(org.east, starts_at=START, capacity=2)
    make_signup(shift, org.trainee)
    make_signup(shift, people[1])
    to = {"self": org.trainee, "holder": people[1]}.get(target) or getattr(
        org, target, None
    )
    with pytest.raises(ValidationError) as refused:
        services.shift_swap_offer(actor=org.trainee, shift=shift, to_person=to, now=T0)
    assert "cannot take your place" in message(refused)
    assert not ShiftSwap.objects.exists()


def test_one_open_offer_per_place_and_only_from_a_holder(org, shift, offered, people):
    with pytest.raises(ValidationError) as refused:
        services.shift_swap_offer(
            actor=org.trainee, shift=shift, to_person=people[1], now=T0
        )
    assert "already offered" in message(refused)
    with pytest.raises(ValidationError) as refused:
        services.shift_swap_offer(
            actor=people[2], shift=shift, to_person=people[1], now=T0
        )
    assert "Only someone signed up" in message(refused)


def test_offering_is_allowed_after_the_cancel_cut_off(org, shift, people):
    make_signup(shift, org.trainee)
    late = START - datetime.timedelta(hours=2)
    swap = services.shift_swap_offer(
        actor=org.trainee, shift=shift, to_person=people[0], now=late
    )
    services.shift_swap_accept(actor=people[0], swap=swap, now=late)
    assert status_of(shift, people[0]) == S.SIGNED_UP


def test_cancelling_withdraws_the_open_offer(org, shift, offered, people):
    services.shift_cancel(actor=org.trainee, shift=shift, now=T0)
    offered.refresh_from_db()
    assert offered.status == W.WITHDRAWN


# --- planning --------------------------------------------------------------------------


def plan(org, **changes):
    return {
        "actor": org.coordinator,
        "unit": org.east,
        "starts_at": START,
        "ends_at": START + 4 * HOUR,
        "place": "东区站咨询室",
        "capacity": 2,
        "supervisor": org.supervisor,
        "title": "周四值班",
    } | changes


def test_a_coordinator_publishes_a_shift_repeated_weekly(org):
    shifts = shifts_admin.shift_create(**plan(org, repeat_weeks=3))
    assert [s.starts_at for s in shifts] == [
        START + datetime.timedelta(weeks=n) for n in range(4)
    ]
    assert all(s.created_by == org.coordinator for s in shifts)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": START - HOUR}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 201}, "capacity"),
        ({"place": "  "}, "place"),
        ({"title": "长" * 121}, "title"),
        ({"starts_at": datetime.datetime(2026, 3, 5, 9)}, "starts_at"),
        ({"repeat_weeks": 27}, "repeat_weeks"),
        ({"repeat_weeks": -1}, "repeat_weeks"),
    ],
)
def test_publishing_refuses_wrong_input_field_by_field(org, changes, field):
    with pytest.raises(ValidationError) as refused:
        shifts_admin.shift_create(**plan(org, **changes))
    assert field in refused.value.message_dict
    assert not DutyShift.objects.exists()


def test_publishing_outside_the_subtree_or_with_a_foreign_supervisor_is_refused(org):
    with pytest.raises(PermissionDenied):
        shifts_admin.shift_create(**plan(org, unit=org.west))
    with pytest.raises(PermissionDenied):
        shifts_admin.shift_create(**plan(org, actor=org.leader))
    west_supervisor = make_trainee(org.west, "west_sup")
    with pytest.raises(ValidationError) as refused:
        shifts_admin.shift_create(**plan(org, supervisor=west_supervisor))
    assert "supervisor" in refused.value.message_dict
    with pytest.raises(ValidationError):  # a trainee is not a supervisor
        shifts_admin.shift_create(**plan(org, supervisor=org.trainee))


def test_calling_a_shift_off_tells_everyone_on_it_and_lapses_offers(
    org, shift, offered, people
):
    make_signup(shift, people[1], status=S.WAITLISTED)
    shifts_admin.shift_call_off(
        actor=org.coordinator, shift=shift, reason="台风停课", now=T0
    )
    shift.refresh_from_db()
    assert shift.cancelled_at == T0
    told = set(
        Notice.objects.filter(text__contains="cancelled").values_list(
            "person__username", flat=True
        )
    )
    assert told == {"trainee", "b"}
    assert (
        "台风停课"
        in Notice.objects.get(person=org.trainee, text__contains="cancelled").text
    )
    offered.refresh_from_db()
    assert offered.status == W.EXPIRED
    with pytest.raises(ValidationError):
        shifts_admin.shift_call_off(actor=org.coordinator, shift=shift, now=T0)


def test_only_coordinators_over_the_shift_call_it_off(org, shift):
    for outsider in (org.sibling, org.leader, org.trainee, org.supervisor):
        with pytest.raises(PermissionDenied):
            shifts_admin.shift_call_off(actor=outsider, shift=shift, now=T0)
    shift.refresh_from_db()
    assert shift.cancelled_at is None


def test_moving_a_shift_tells_everyone_on_it(org, shift):
    make_signup(shift, org.trainee)
    shifts_admin.shift_update(
        actor=org.coordinator,
        shift=shift,
        unit=shift.unit,
        starts_at=shift.starts_at + HOUR,
        ends_at=shift.ends_at + HOUR,
        place=shift.place,
        capacity=1,
    )
    assert "has moved" in Notice.objects.get(person=org.trainee).text


def test_a_shift_with_sign_ups_cannot_be_deleted(org, shift):
    make_signup(shift, org.trainee)
    with pytest.raises(ValidationError) as refused:
        shifts_admin.shift_delete(actor=org.coordinator, shift=shift)
    assert "Cancel it instead" in message(refused)
    empty = make_shift(org.east, starts_at=START)
    shifts_admin.shift_delete(actor=org.coordinator, shift=empty)
    assert not DutyShift.objects.filter(pk=empty.pk).exists()


def test_exemptions_need_a_reason_and_a_trainee_in_scope(org):
    day = datetime.date(2026, 3, 1)
    made = shifts_admin.quota_exemption_create(
        actor=org.coordinator,
        person=org.trainee,
        starts_on=day,
        ends_on=day,
        reason=" 住院 ",
    )
    assert made.reason == "住院" and made.created_by == org.coordinator
    for person, reason, ends in (
        (org.trainee, "  ", day),
        (org.west_trainee, "出差", day),
        (org.trainee, "出差", day - datetime.timedelta(days=1)),
        (org.trainee, "长" * 301, day),
    ):
        with pytest.raises(ValidationError):
            shifts_admin.quota_exemption_create(
                actor=org.coordinator,
                person=person,
                starts_on=day,
                ends_on=ends,
                reason=reason,
            )
    with pytest.raises(PermissionDenied):
        shifts_admin.quota_exemption_delete(actor=org.sibling, exemption=made)
