"""Duty shifts: check-in and check-out by the rotating token or the short
code, the window, who may check in, and no-shows with their excuse."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lms.core.models import AuditAction, AuditEvent
from supervision.models import ShiftSignup
from supervision.selectors import shifts as selectors
from supervision.services import shifts_attendance as services
from tests.factories.sessions import make_session
from tests.factories.shifts import T0, code_for, make_trainee, token_for
from tests.factories.supervision import make_shift, make_signup

S = ShiftSignup.Status
MIN = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def shift(org):
    """An east shift 09:00–13:00 on T0's day, the trainee signed up."""
    shift = make_shift(org.east, starts_at=T0, hours=4, supervisor=org.supervisor)
    make_signup(shift, org.trainee)
    return shift


def message(refused) -> str:
    return " ".join(refused.value.messages)


def check_in(person, shift, now, **kwargs):
    kwargs.setdefault("token", token_for(shift, now))
    return services.shift_check_in(actor=person, shift=shift, now=now, **kwargs)


def test_a_signed_up_trainee_checks_in_with_the_screens_token(org, shift):
    row = check_in(org.trainee, shift, T0 + 3 * MIN)
    assert row.checked_in_at == T0 + 3 * MIN


def test_a_second_check_in_keeps_the_first_time(org, shift):
    check_in(org.trainee, shift, T0)
    row = check_in(org.trainee, shift, T0 + 10 * MIN)
    assert row.checked_in_at == T0


def test_an_expired_token_is_refused(org, shift):
    old = token_for(shift, T0 - 2 * MIN)
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, shift, T0, token=old)
    assert "expired" in message(refused)
    assert ShiftSignup.objects.get().checked_in_at is None


def test_another_shifts_or_a_sessions_token_is_refused(org, shift):
    other = make_shift(org.east, starts_at=T0)
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, shift, T0, token=token_for(other, T0))
    assert refused.value.code == "token_other_session"
    session = make_session(org.east, starts_at=T0)
    forged = token_for(session, T0).replace(f"{session.pk}.", f"{shift.pk}.", 1)
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, shift, T0, token=forged)
    assert refused.value.code == "token_invalid"


@pytest.mark.parametrize("token", ["", "x" * 5000, "1.2.<script>", None])
def test_damaged_or_missing_tokens_are_refused(org, shift, token):
    with pytest.raises(ValidationError):
        services.shift_check_in(actor=org.trainee, shift=shift, token=token, now=T0)
    assert ShiftSignup.objects.get().checked_in_at is None


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (T0 - 31 * MIN, "opens 30 minutes before"),
        (T0 + datetime.timedelta(hours=4, minutes=1), "has ended"),
    ],
)
def test_check_in_outside_its_window_is_refused(org, shift, moment, words):
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, shift, moment)
    assert words in message(refused)


def test_check_in_opens_thirty_minutes_before_the_start(org, shift):
    assert check_in(org.trainee, shift, T0 - 30 * MIN).checked_in_at


@pytest.mark.parametrize("status", [None, S.WAITLISTED, S.CANCELLED, S.SWAPPED_OUT])
def test_only_signed_up_people_check_in(org, shift, status):
    person = make_trainee(org.east_room, "other")
    if status:
        make_signup(shift, person, status=status)
    with pytest.raises(ValidationError) as refused:
        check_in(person, shift, T0)
    assert "cannot check in" in message(refused)


def test_a_cancelled_shift_refuses_check_in(org, shift):
    shift.cancelled_at = T0 - datetime.timedelta(days=1)
    shift.save()
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, shift, T0)
    assert "cancelled" in message(refused)


def test_check_in_and_out_with_the_short_code(org, shift):
    services.shift_check_in(
        actor=org.trainee, shift=shift, code=code_for(shift, T0), now=T0
    )
    later = T0 + datetime.timedelta(hours=4)
    row = services.shift_check_out(
        actor=org.trainee, shift=shift, code=code_for(shift, later), now=later
    )
    assert row.checked_in_at == T0 and row.checked_out_at == later


def test_wrong_short_codes_are_limited(org, shift):
    right = code_for(shift, T0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.shift_check_in(actor=org.trainee, shift=shift, code=wrong, now=T0)
    with pytest.raises(ValidationError) as refused:
        services.shift_check_in(actor=org.trainee, shift=shift, code=right, now=T0)
    assert "Too many wrong codes" in message(refused)


def test_check_out_needs_a_check_in_and_closes_thirty_minutes_after_the_end(org, shift):
    end = shift.ends_at
    with pytest.raises(ValidationError) as refused:
        services.shift_check_out(
            actor=org.trainee, shift=shift, token=token_for(shift, end), now=end
        )
    assert "not checked in" in message(refused)
    check_in(org.trainee, shift, T0)
    late = end + 31 * MIN
    with pytest.raises(ValidationError) as refused:
        services.shift_check_out(
            actor=org.trainee, shift=shift, token=token_for(shift, late), now=late
        )
    assert "closed 30 minutes after" in message(refused)
    ok = end + 30 * MIN
    row = services.shift_check_out(
        actor=org.trainee, shift=shift, token=token_for(shift, ok), now=ok
    )
    assert row.checked_out_at == ok


# --- no-shows ---------------------------------------------------------------------


def test_a_no_show_is_computed_after_the_end(org, shift):
    row = ShiftSignup.objects.get()
    assert not selectors.is_no_show(row, now=shift.ends_at)
    assert selectors.is_no_show(row, now=shift.ends_at + MIN)
    check_in(org.trainee, shift, T0)
    row.refresh_from_db()
    assert not selectors.is_no_show(row, now=shift.ends_at + MIN)


def test_the_roster_lists_no_shows_waiting_and_times(org, shift):
    came = make_trainee(org.east_room, "came")
    make_signup(shift, came, checked_in_at=T0)
    waiting = make_trainee(org.east_room, "waiting")
    make_signup(shift, waiting, status=S.WAITLISTED)
    roster = selectors.roster_for(shift=shift, now=shift.ends_at + MIN)
    assert [r.person.username for r in roster["signed_up"]] == ["trainee", "came"]
    assert [r.no_show for r in roster["signed_up"]] == [True, False]
    assert [r.person.username for r in roster["waiting"]] == ["waiting"]
    assert roster["no_shows"] == 1 and roster["excused"] == 0


def test_a_coordinator_excuses_a_no_show_with_a_reason_and_it_is_audited(org, shift):
    row = ShiftSignup.objects.get()
    after = shift.ends_at + MIN
    services.signup_excuse(actor=org.coordinator, signup=row, reason="发烧", now=after)
    row.refresh_from_db()
    assert row.excused_reason == "发烧" and row.excused_by == org.coordinator
    event = AuditEvent.objects.get(action=AuditAction.ATTENDANCE_CHANGE)
    assert event.object_id == str(row.pk) and "发烧" in event.detail
    roster = selectors.roster_for(shift=shift, now=after)
    assert roster["no_shows"] == 0 and roster["excused"] == 1
    with pytest.raises(ValidationError) as refused:
        services.signup_excuse(
            actor=org.coordinator, signup=row, reason="再次", now=after
        )
    assert "already been excused" in message(refused)


@pytest.mark.parametrize("reason", ["", "   ", "长" * 301])
def test_excusing_needs_a_sensible_reason(org, shift, reason):
    row = ShiftSignup.objects.get()
    with pytest.raises(ValidationError):
        services.signup_excuse(
            actor=org.coordinator, signup=row, reason=reason, now=shift.ends_at + MIN
        )
    row.refresh_from_db()
    assert row.excused_at is None and not AuditEvent.objects.exists()


def test_only_a_missed_shift_can_be_excused(org, shift):
    row = ShiftSignup.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.signup_excuse(actor=org.coordinator, signup=row, reason="x", now=T0)
    assert "Only a missed shift" in message(refused)


@pytest.mark.parametrize("who", ["supervisor", "leader", "sibling", "trainee"])
def test_only_coordinators_over_the_shift_excuse(org, shift, who):
    row = ShiftSignup.objects.get()
    with pytest.raises(PermissionDenied):
        services.signup_excuse(
            actor=getattr(org, who), signup=row, reason="x", now=shift.ends_at + MIN
        )
