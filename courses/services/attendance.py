"""Attendance at offline sessions: self check-in and check-out by QR token
or short code, and coordinators marking or correcting it by hand.

Decisions:

- **Who may check in**: the people the session is for, i.e. whose home
  unit is the session's unit or below it, and members of its cohort
  (``courses.permissions.may_attend``).  Being in the room is the
  other half: the token changes every 30 seconds.  A second person in
  the room may use the token the screen shows (it is on a public
  screen); a token sent on after its minute is refused.
- **When the credit is written**: at check-in.  Check-out does not wait
  for it, because people forget to check out and would lose the hours;
  it records early leave, which the coordinator sees on the attendance
  list and may act on by marking the person absent (which reverses the
  credit).
- **The credit's source** is the ``Attendance`` row: the ledger row then
  points at the record that justifies it, with its history of changes,
  and each person's credit stands on its own.
- **Corrections** never edit the ledger: when what should stand differs
  from what stands (marked absent, hours or date changed), the standing
  credit is reversed and, if the person is still present, credited again
  as the next generation.  A change of times only does not touch it.

Every write runs in a transaction holding the session's row lock, so two
phones checking the same person in at once, or the last free place taken
twice, are serialised; the unique constraint on (session, person) is the
last line.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Attendance, AttendanceChange, OfflineSession
from courses.permissions import can_manage_session, may_attend
from courses.selectors import sessions as selectors
from courses.services import sessions
from lms.core import checkin
from lms.core.models import AuditAction, User
from lms.core.services.audit import audit_record

MAX_REASON_LENGTH = 500


def _minutes(delta: datetime.timedelta) -> int:
    return int(delta.total_seconds() // 60)


# --- self check-in and check-out -----------------------------------------------


def _verify(
    *,
    person: User,
    session: OfflineSession,
    token: str | None,
    code: str | None,
    now: datetime.datetime,
) -> str:
    method = checkin.verify(
        session.check_in_keys,
        person_id=person.pk,
        token=token,
        code=code,
        now=now,
        too_many=_(
            "Too many wrong codes. Wait %(minutes)s minutes, or ask the coordinator to mark you present."
        ),
    )
    return Attendance.Method(method)


def _require_on_list(person: User, session: OfflineSession) -> None:
    if not may_attend(person, session):
        raise PermissionDenied(
            _("This session is not for your unit or cohort, so you cannot check in.")
        )


def attendance_check_in(
    *,
    person: User,
    session: OfflineSession,
    token: str | None = None,
    code: str | None = None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """Check ``person`` in by the QR ``token`` or the short ``code``, and
    credit the session's hours.

    Open from ``checkin.CHECK_IN_OPENS_BEFORE`` the start until the end, to people
    on the session's list, while places are left.  Idempotent: a second
    check-in returns the first row and credits nothing more.  Lateness is
    the check-in time compared with the start (computed, not stored).
    """
    now = now or timezone.now()
    _require_on_list(person, session)
    if now < session.starts_at - checkin.CHECK_IN_OPENS_BEFORE:
        raise ValidationError(
            _("Check-in opens %(minutes)s minutes before the session starts.")
            % {"minutes": _minutes(checkin.CHECK_IN_OPENS_BEFORE)},
            code="early",
        )
    if now > session.ends_at:
        raise ValidationError(
            _("This session has ended; check-in is closed."), code="closed"
        )
    method = _verify(person=person, session=session, token=token, code=code, now=now)
    with transaction.atomic():
        locked = OfflineSession.objects.select_for_update().get(pk=session.pk)
        existing = Attendance.objects.filter(session=locked, person=person).first()
        if existing is not None:
            return _already_in(existing)
        if locked.capacity is not None and (
            selectors.present_count(session=locked) >= locked.capacity
        ):
            raise ValidationError(
                _("This session is full. Ask the coordinator if you should stay."),
                code="full",
            )
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    session=locked, person=person, checked_in_at=now, method=method
                )
        except IntegrityError:
            # The other phone won between our read and our insert.
            return _already_in(Attendance.objects.get(session=locked, person=person))
        sessions.settle_credit(
            attendance=attendance, session=locked, actor=person, reason="check-in"
        )
    return attendance


def _already_in(attendance: Attendance) -> Attendance:
    if attendance.status == Attendance.Status.ABSENT:
        raise ValidationError(
            _("The coordinator has recorded you as absent. Ask them to correct it."),
            code="marked_absent",
        )
    return attendance


def attendance_check_out(
    *,
    person: User,
    session: OfflineSession,
    token: str | None = None,
    code: str | None = None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """Record when ``person`` left, by the token or the short code.

    Only after checking in, and until ``checkin.CHECK_OUT_CLOSES_AFTER`` the end.
    Idempotent: the first check-out stands.  Leaving before the end (less
    the tolerance) shows as early leave; the credit is not changed here.
    """
    now = now or timezone.now()
    _require_on_list(person, session)
    if now > session.ends_at + checkin.CHECK_OUT_CLOSES_AFTER:
        raise ValidationError(
            _("Check-out closed %(minutes)s minutes after the session ended.")
            % {"minutes": _minutes(checkin.CHECK_OUT_CLOSES_AFTER)},
            code="closed",
        )
    _verify(person=person, session=session, token=token, code=code, now=now)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update()
            .filter(session=session, person=person)
            .first()
        )
        if attendance is None or attendance.status != Attendance.Status.PRESENT:
            raise ValidationError(
                _("You have not checked in to this session, so you cannot check out."),
                code="not_in",
            )
        if attendance.checked_out_at is not None:
            return attendance
        if attendance.checked_in_at is not None and now < attendance.checked_in_at:
            raise ValidationError(_("You cannot check out before you checked in."))
        attendance.checked_out_at = now
        attendance.save(update_fields=["checked_out_at"])
    return attendance


# --- by hand ------------------------------------------------------------------


def _snapshot(attendance: Attendance | None) -> dict:
    if attendance is None:
        return {}

    def moment(value):
        # In UTC, so the same instant always compares equal.
        return value.astimezone(datetime.UTC).isoformat() if value else None

    return {
        "status": attendance.status,
        "checked_in_at": moment(attendance.checked_in_at),
        "checked_out_at": moment(attendance.checked_out_at),
    }


def _clean_mark(
    *,
    session: OfflineSession,
    person: User,
    status: str,
    checked_in_at: datetime.datetime | None,
    checked_out_at: datetime.datetime | None,
    reason: str,
) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for marking attendance by hand."))
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(_("Keep the reason under 500 characters."))
    if status not in Attendance.Status.values:
        raise ValidationError(_("Choose present or absent."))
    earliest = session.starts_at - checkin.CHECK_IN_OPENS_BEFORE
    latest = session.ends_at + checkin.CHECK_OUT_CLOSES_AFTER
    for moment in (checked_in_at, checked_out_at):
        if moment is None:
            continue
        if timezone.is_naive(moment):
            raise ValidationError(_("Give times with a date."))
        if not earliest <= moment <= latest:
            raise ValidationError(
                _(
                    "Times must fall between %(before)s minutes before the start and %(after)s minutes after the end."
                )
                % {
                    "before": _minutes(checkin.CHECK_IN_OPENS_BEFORE),
                    "after": _minutes(checkin.CHECK_OUT_CLOSES_AFTER),
                }
            )
    if checked_in_at and checked_out_at and checked_out_at < checked_in_at:
        raise ValidationError(_("The check-out time must be after the check-in time."))
    if not may_attend(person, session):
        raise ValidationError(_("This person is not on this session's list."))
    return reason


def attendance_mark(
    *,
    actor: User,
    session: OfflineSession,
    person: User,
    status: str,
    checked_in_at: datetime.datetime | None = None,
    checked_out_at: datetime.datetime | None = None,
    reason: str,
    request: HttpRequest | None = None,
) -> Attendance:
    """Mark or correct a person's attendance by hand, with a reason.

    For coordinators who manage the session's unit; the person must be on
    its list; the capacity does not bind them.  The times given are the
    new times (``None`` for none).  Writes an ``AttendanceChange`` with
    the row before and after and an audit row, then settles the ledger:
    the standing credit is reversed when it no longer fits and credited
    again while present.  A mark that changes nothing is refused.
    """
    if not can_manage_session(actor, session):
        raise PermissionDenied(_("You cannot mark attendance for this session."))
    reason = _clean_mark(
        session=session,
        person=person,
        status=status,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        reason=reason,
    )
    with transaction.atomic():
        locked = OfflineSession.objects.select_for_update().get(pk=session.pk)
        attendance = (
            Attendance.objects.select_for_update()
            .filter(session=locked, person=person)
            .first()
        )
        before = _snapshot(attendance)
        if attendance is None:
            attendance = Attendance(
                session=locked, person=person, method=Attendance.Method.MANUAL
            )
        attendance.status = status
        attendance.checked_in_at = checked_in_at
        attendance.checked_out_at = checked_out_at
        after = _snapshot(attendance)
        if before == after:
            raise ValidationError(_("Nothing was changed: this is already recorded."))
        attendance.save()
        AttendanceChange.objects.create(
            attendance=attendance,
            actor=actor,
            reason=reason,
            before=before,
            after=after,
        )
        audit_record(
            actor=actor,
            action=AuditAction.ATTENDANCE_CHANGE,
            obj=attendance,
            request=request,
            detail=f"attendance {locked.pk}: {before.get('status', '-')} → {status}: {reason}",
        )
        sessions.settle_credit(
            attendance=attendance, session=locked, actor=actor, reason=reason
        )
    return attendance
