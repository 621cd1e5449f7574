"""Practice-log rows for tests: attended shifts and sessions to link, and
entries in a given state.  Made directly; tests of a service call it."""

import datetime

from django.utils import timezone

from courses.models import Attendance
from supervision.models import PracticeEntry, ShiftSignup
from tests.factories.sessions import make_session
from tests.factories.supervision import make_entry, make_shift, make_signup


def today_at(hour: int = 0, minute: int = 5) -> datetime.datetime:
    """An aware moment of today's local date (early, so it is today
    whenever the test runs)."""
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute))
    )


def attended_shift(person, *, unit=None, supervisor=None, checked_in=True):
    """A shift of today that ``person`` signed up for (and checked in to)."""
    shift = make_shift(
        unit or person.home_unit, supervisor=supervisor, starts_at=today_at(), hours=2
    )
    make_signup(
        shift,
        person,
        status=ShiftSignup.Status.SIGNED_UP,
        checked_in_at=today_at(0, 6) if checked_in else None,
    )
    return shift


def attended_session(person, *, unit=None, present=True):
    """An offline session that ``person`` attended (or was marked absent)."""
    session = make_session(unit or person.home_unit)
    Attendance.objects.create(
        session=session,
        person=person,
        status=Attendance.Status.PRESENT if present else Attendance.Status.ABSENT,
        checked_in_at=timezone.now() if present else None,
        method=Attendance.Method.MANUAL,
    )
    return session


def entry_in(person, status, *, approver=None, **fields):
    """An entry of ``person`` in ``status`` (approved ones need ``approver``)."""
    if status == PracticeEntry.Status.APPROVED:
        fields.setdefault("approved_by", approver)
        fields.setdefault("approved_at", timezone.now())
    return make_entry(person, status=status, **fields)
