"""Coordinators' writes for duty shifts: publish (optionally weekly for N
weeks), change, call off (everyone holding a row is told) and delete
shifts, and quota exemptions.

Decisions:

- A published shift's capacity may be raised (the waiting list moves up
  at once) but not lowered below the places taken.
- A shift with sign-ups cannot be deleted, only called off, so nobody's
  place silently disappears.
- The supervisor on duty must hold the supervisor role and belong to
  the coordinator's subtree, and is never the coordinator themselves
  (``can_name_as_supervisor``): the supervisor on duty opens and signs
  off the practice entries linked to the shift.  A coordinator whom
  someone else put on duty may still edit the shift's other fields.
- Every change of the supervisor on duty is an audit row per shift with
  the before and after, and a notice to both supervisors and the leaders
  over the shift's unit.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.core.models import AuditAction, OrgUnit, User
from lms.core.permissions import can_manage_unit
from lms.core.selectors import leaders_over
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send

from ..models import DutyShift, QuotaExemption, ShiftSignup
from ..permissions import can_name_as_supervisor
from ..selectors import shifts as selectors
from .shifts import shift_swaps_expire, waitlist_promote

SignupStatus = ShiftSignup.Status
MAX_REPEAT_WEEKS = 26
MAX_CAPACITY = 200
MAX_REASON_LENGTH = 300


def _shift_fields_clean(*, actor: User, fields: dict) -> dict:
    """The shift's fields, checked; one ``ValidationError`` naming every
    field in error."""
    errors: dict[str, str] = {}
    out = dict(fields)
    for name, limit in (("title", 120), ("place", 200), ("note", 1000)):
        out[name] = (fields.get(name) or "").strip()
        if len(out[name]) > limit:
            errors[name] = _("Keep this under %(count)s characters.") % {"count": limit}
    if not out["place"]:
        errors["place"] = _("Say where the shift is held.")
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    for name, moment in (("starts_at", starts), ("ends_at", ends)):
        if not isinstance(moment, datetime.datetime) or timezone.is_naive(moment):
            errors[name] = _("Give a date and a time.")
    if not errors.keys() & {"starts_at", "ends_at"} and ends <= starts:
        errors["ends_at"] = _("The shift must end after it starts.")
    capacity = fields.get("capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("The number of places must be from 1 to 200.")
    supervisor = fields.get("supervisor")
    if (
        supervisor is not None
        and not selectors.supervisors_manageable_by(user=actor)
        .filter(pk=supervisor.pk)
        .exists()
    ):
        errors["supervisor"] = _("Choose a supervisor from the units you manage.")
    if errors:
        raise ValidationError(errors)
    return out


def _check_duty(
    *, actor: User, supervisor: User | None, current: User | None = None
) -> None:
    """Nobody puts themselves on duty; one already on duty stays."""
    if supervisor is None or (current is not None and supervisor.pk == current.pk):
        return
    if not can_name_as_supervisor(actor, supervisor):
        raise ValidationError(
            {
                "supervisor": _(
                    "You cannot make yourself the supervisor on duty. Another "
                    "coordinator or a platform administrator can."
                )
            }
        )


def _record_duty(*, actor: User, shifts: list[DutyShift], before: User | None) -> None:
    """Audit and announce a change of the supervisor on duty of ``shifts``
    (one slot, or one repeated weekly) from ``before``."""
    after = shifts[0].supervisor
    if getattr(before, "pk", None) == getattr(after, "pk", None):
        return
    change = f"supervisor on duty: {before or '—'} → {after or '—'}"
    for shift in shifts:
        audit_record(
            actor=actor,
            action=AuditAction.SHIFT_SUPERVISOR_CHANGE,
            obj=shift,
            detail=change,
        )
    first = shifts[0]
    text = ngettext(
        "%(actor)s changed the supervisor on duty of %(count)d shift of "
        "%(unit)s from %(when)s: %(before)s → %(after)s.",
        "%(actor)s changed the supervisor on duty of %(count)d shifts of "
        "%(unit)s from %(when)s: %(before)s → %(after)s.",
        len(shifts),
    ) % {
        "actor": actor,
        "count": len(shifts),
        "unit": first.unit,
        "when": timezone.localtime(first.starts_at).strftime("%Y-%m-%d %H:%M"),
        "before": before or "—",
        "after": after or "—",
    }
    told = {person.pk: person for person in (before, after) if person is not None}
    for leader in leaders_over(units=[first.unit]).exclude(pk__in=list(told)):
        told[leader.pk] = leader
    for person in told.values():
        notice_send(person=person, text=text)


def _require_unit(actor: User, unit: OrgUnit | None) -> None:
    if unit is None or not can_manage_unit(actor, unit):
        raise PermissionDenied(_("You cannot publish shifts for this unit."))


def shift_create(
    *,
    actor: User,
    unit: OrgUnit,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    capacity: int,
    title: str = "",
    supervisor: User | None = None,
    note: str = "",
    repeat_weeks: int = 0,
) -> list[DutyShift]:
    """Publish a shift of ``unit``, and the same slot on each of the next
    ``repeat_weeks`` weeks (0–26).  For coordinators of ``unit``; a
    supervisor on duty is audited and told (module docstring)."""
    _require_unit(actor, unit)
    _check_duty(actor=actor, supervisor=supervisor)
    fields = _shift_fields_clean(
        actor=actor,
        fields={
            "title": title,
            "place": place,
            "note": note,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "capacity": capacity,
            "supervisor": supervisor,
        },
    )
    if not isinstance(repeat_weeks, int) or not 0 <= repeat_weeks <= MAX_REPEAT_WEEKS:
        raise ValidationError({"repeat_weeks": _("Repeat for 0 to 26 more weeks.")})
    week = datetime.timedelta(weeks=1)
    with transaction.atomic():
        shifts = [
            DutyShift.objects.create(
                unit=unit,
                created_by=actor,
                **fields
                | {"starts_at": starts_at + n * week, "ends_at": ends_at + n * week},
            )
            for n in range(repeat_weeks + 1)
        ]
        _record_duty(actor=actor, shifts=shifts, before=None)
    return shifts


def shift_update(
    *,
    actor: User,
    shift: DutyShift,
    unit: OrgUnit,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    capacity: int,
    title: str = "",
    supervisor: User | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> DutyShift:
    """Change a shift.  Raising the capacity promotes from the waiting
    list; lowering it below the places taken is refused; when the time or
    place changes, everyone holding a row is told.  A change of the
    supervisor on duty is audited and told (module docstring)."""
    _require_unit(actor, shift.unit)
    _require_unit(actor, unit)
    fields = _shift_fields_clean(
        actor=actor,
        fields={
            "title": title,
            "place": place,
            "note": note,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "capacity": capacity,
            "supervisor": supervisor,
        },
    )
    with transaction.atomic():
        locked = DutyShift.objects.select_for_update().get(pk=shift.pk)
        if locked.cancelled_at is not None:
            raise ValidationError(_("A cancelled shift cannot be changed."))
        # The stored supervisor, not ``shift``'s: a form may have set it.
        _check_duty(actor=actor, supervisor=supervisor, current=locked.supervisor)
        taken = locked.signups.filter(status=SignupStatus.SIGNED_UP).count()
        if capacity < taken:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)s people are signed up; the places cannot be fewer."
                    )
                    % {"count": taken}
                }
            )
        moved = (locked.starts_at, locked.place) != (starts_at, fields["place"])
        on_duty_before = locked.supervisor
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.unit = unit
        locked.save()
        _record_duty(actor=actor, shifts=[locked], before=on_duty_before)
        waitlist_promote(shift=locked, now=now)
        if moved:
            _tell_everyone(
                locked,
                _("The shift “%(title)s” has moved to %(when)s at %(place)s."),
            )
    return locked


def _tell_everyone(shift: DutyShift, sentence: str, extra: str = "") -> int:
    rows = shift.signups.filter(
        status__in=[SignupStatus.SIGNED_UP, SignupStatus.WAITLISTED]
    ).select_related("person")
    when = timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")
    for row in rows:
        notice_send(
            person=row.person,
            text=(sentence % {"title": shift, "when": when, "place": shift.place})
            + (" " + extra if extra else ""),
            url=reverse("supervision:shift_list"),
        )
    return len(rows)


def shift_call_off(
    *, actor: User, shift: DutyShift, reason: str = "", now=None
) -> DutyShift:
    """Cancel a whole shift (coordinators over it, before it ends); everyone
    signed up or waiting gets a notice, open swap offers lapse."""
    now = now or timezone.now()
    _require_unit(actor, shift.unit)
    reason = (reason or "").strip()[:MAX_REASON_LENGTH]
    with transaction.atomic():
        locked = DutyShift.objects.select_for_update().get(pk=shift.pk)
        if locked.cancelled_at is not None:
            raise ValidationError(_("This shift has already been cancelled."))
        if now > locked.ends_at:
            raise ValidationError(_("A shift that has ended cannot be cancelled."))
        locked.cancelled_at = now
        locked.save(update_fields=["cancelled_at"])
        shift_swaps_expire(now=now)
        _tell_everyone(
            locked,
            _("The shift “%(title)s” on %(when)s has been cancelled."),
            extra=_("Reason: %(reason)s") % {"reason": reason} if reason else "",
        )
    return locked


def shift_delete(*, actor: User, shift: DutyShift) -> None:
    """Delete a shift nobody has signed up for (else call it off)."""
    _require_unit(actor, shift.unit)
    with transaction.atomic():
        locked = DutyShift.objects.select_for_update().get(pk=shift.pk)
        if locked.signups.exists():
            raise ValidationError(
                _(
                    "People have signed up for this shift, so it cannot be deleted. Cancel it instead; they will be told."
                )
            )
        locked.delete()


# --- quota exemptions ---------------------------------------------------------


def _clean_exemption(*, actor, person, starts_on, ends_on, reason) -> str:
    errors: dict[str, str] = {}
    if (
        person is None
        or not selectors.trainees_manageable_by(user=actor)
        .filter(pk=person.pk)
        .exists()
    ):
        errors["person"] = _("Choose a trainee of the units you manage.")
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not isinstance(day, datetime.date):
            errors[name] = _("Give a date.")
    if not errors.keys() & {"starts_on", "ends_on"} and ends_on < starts_on:
        errors["ends_on"] = _("The exemption must end on or after its first day.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the exemption.")
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = _("Keep the reason under %(count)s characters.") % {
            "count": MAX_REASON_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    return reason


def quota_exemption_create(
    *, actor: User, person: User, starts_on, ends_on, reason: str
) -> QuotaExemption:
    """Exempt a trainee the coordinator manages from the shift quota for
    the days from ``starts_on`` to ``ends_on``, with a reason."""
    reason = _clean_exemption(
        actor=actor, person=person, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    return QuotaExemption.objects.create(
        person=person,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by=actor,
    )


def quota_exemption_update(
    *, actor: User, exemption: QuotaExemption, person: User, starts_on, ends_on, reason
) -> QuotaExemption:
    """Change an exemption of someone the coordinator manages."""
    if (
        not selectors.exemptions_manageable_by(user=actor)
        .filter(pk=exemption.pk)
        .exists()
    ):
        raise PermissionDenied(_("You cannot change this exemption."))
    reason = _clean_exemption(
        actor=actor, person=person, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    exemption.person, exemption.starts_on, exemption.ends_on = (
        person,
        starts_on,
        ends_on,
    )
    exemption.reason = reason
    exemption.save()
    return exemption


def quota_exemption_delete(*, actor: User, exemption: QuotaExemption) -> None:
    if (
        not selectors.exemptions_manageable_by(user=actor)
        .filter(pk=exemption.pk)
        .exists()
    ):
        raise PermissionDenied(_("You cannot delete this exemption."))
    exemption.delete()
