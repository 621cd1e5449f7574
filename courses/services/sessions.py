"""Offline sessions: plan, change and delete them (``session_*``), and
keep the ledger in step with an attendance (``settle_credit``).

Taking attendance is ``courses.services.attendance``.  When a session's
hours or date change, everyone present is reversed and credited again.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Attendance, Cohort, OfflineSession
from courses.selectors import sessions as selectors
from lms.core.models import HoursCategory, HoursEntry, OrgUnit, User
from lms.core.permissions import can_manage_unit
from lms.core.selectors import people_manageable_by
from lms.core.services.ledger import hours_credit, hours_reverse

MAX_CREDIT_HOURS = Decimal("999.99")


# --- planning -----------------------------------------------------------------


def _session_fields_clean(
    *,
    actor: User,
    kind: str,
    title: str,
    unit: OrgUnit,
    cohort: Cohort | None,
    place: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    credit_hours,
    capacity: int | None,
    facilitators,
) -> dict:
    """The session's fields, checked; a ``ValidationError`` names every
    field in error, each with a sentence."""
    errors: dict[str, str] = {}
    title, place = (title or "").strip(), (place or "").strip()
    if kind not in OfflineSession.Kind.values:
        errors["kind"] = _("Choose lecture, group session or behaviour training.")
    if not title or len(title) > 200:
        errors["title"] = _("Give the session a title of up to 200 characters.")
    if not place or len(place) > 200:
        errors["place"] = _("Say where the session is held, in up to 200 characters.")
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(moment, datetime.datetime) or timezone.is_naive(moment):
            errors[name] = _("Give a date and a time.")
    if not errors.keys() & {"starts_at", "ends_at"} and ends_at <= starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    try:
        hours = Decimal(str(credit_hours))
        if not hours.is_finite() or hours.as_tuple().exponent < -2:
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        hours = None
    if hours is None or hours < 0 or hours > MAX_CREDIT_HOURS:
        errors["credit_hours"] = _(
            "Credit hours must be a number from 0 to 999.99, with at most two decimals."
        )
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1):
        errors["capacity"] = _("The capacity must be at least one person, or empty.")
    if cohort is not None and not can_manage_unit(actor, cohort.unit):
        errors["cohort"] = _("Choose a cohort of a unit you manage.")
    facilitators = list(facilitators or [])
    ids = {person.pk for person in facilitators}
    if ids and people_manageable_by(user=actor).filter(pk__in=ids).count() != len(ids):
        errors["facilitators"] = _("Choose facilitators from the people you manage.")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "title": title,
        "unit": unit,
        "cohort": cohort,
        "place": place,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "credit_hours": hours,
        "capacity": capacity,
    }


def session_create(
    *,
    actor: User,
    kind: str,
    title: str,
    unit: OrgUnit,
    place: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    credit_hours: Decimal,
    capacity: int | None = None,
    cohort: Cohort | None = None,
    facilitators=(),
) -> OfflineSession:
    """Plan a session of ``unit``.

    The actor must manage ``unit``; a cohort must belong to a unit they
    manage, facilitators must be people they manage.  Each refused field
    gets a sentence in one ``ValidationError``.
    """
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(_("You cannot plan sessions for this unit."))
    fields = _session_fields_clean(
        actor=actor,
        kind=kind,
        title=title,
        unit=unit,
        cohort=cohort,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        credit_hours=credit_hours,
        capacity=capacity,
        facilitators=facilitators,
    )
    with transaction.atomic():
        session = OfflineSession.objects.create(created_by=actor, **fields)
        session.facilitators.set(facilitators)
    return session


def session_update(
    *,
    actor: User,
    session: OfflineSession,
    kind: str,
    title: str,
    unit: OrgUnit,
    place: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    credit_hours: Decimal,
    capacity: int | None = None,
    cohort: Cohort | None = None,
    facilitators=(),
) -> OfflineSession:
    """Change a session's plan.

    The actor must manage its unit, and the new unit if it moves.  The
    capacity cannot go below the number already present.  When the hours
    or the date change, every standing credit is reversed and credited
    again with the new figures (the times alone change only the lateness
    flags, which are computed).
    """
    current = OfflineSession.objects.select_related("unit").get(pk=session.pk)
    if not (can_manage_unit(actor, current.unit) and can_manage_unit(actor, unit)):
        raise PermissionDenied(_("You cannot change sessions of this unit."))
    fields = _session_fields_clean(
        actor=actor,
        kind=kind,
        title=title,
        unit=unit,
        cohort=cohort,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        credit_hours=credit_hours,
        capacity=capacity,
        facilitators=facilitators,
    )
    with transaction.atomic():
        locked = OfflineSession.objects.select_for_update().get(pk=session.pk)
        present = selectors.present_count(session=locked)
        if fields["capacity"] is not None and fields["capacity"] < present:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)s people are already present; the capacity cannot be less."
                    )
                    % {"count": present}
                }
            )
        recredit = fields["credit_hours"] != locked.credit_hours or earned_on(
            fields["starts_at"]
        ) != earned_on(locked.starts_at)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        locked.facilitators.set(facilitators)
        if recredit:
            reason = _("The session's hours or date were changed.")
            for row in locked.attendances.select_related("person"):
                settle_credit(
                    attendance=row, session=locked, actor=actor, reason=reason
                )
    return locked


def session_delete(*, actor: User, session: OfflineSession) -> None:
    """Delete a session nobody has attended yet.  Once attendance is
    recorded the session is part of people's hours and stays."""
    if not can_manage_unit(actor, session.unit):
        raise PermissionDenied(_("You cannot delete sessions of this unit."))
    with transaction.atomic():
        locked = OfflineSession.objects.select_for_update().get(pk=session.pk)
        if locked.attendances.exists():
            raise ValidationError(
                _(
                    "Attendance has been taken for this session, so it cannot be deleted."
                )
            )
        locked.delete()


# --- the ledger -----------------------------------------------------------------


def earned_on(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def settle_credit(
    *, attendance: Attendance, session: OfflineSession, actor: User | None, reason: str
) -> HoursEntry | None:
    """Make the ledger hold what this attendance earns: the session's hours
    on its day while present, nothing otherwise.  Reverse-and-credit, never
    an edit; does nothing when the standing credit is already right."""
    hours = session.credit_hours
    if attendance.status != Attendance.Status.PRESENT or hours <= 0:
        hours_reverse(
            person=attendance.person, source=attendance, reason=reason, actor=actor
        )
        return None
    wanted = {
        "person": attendance.person,
        "category": HoursCategory.OFFLINE_THEORY,
        "hours": hours,
        "source": attendance,
        "earned_on": earned_on(session.starts_at),
        "actor": actor,
        "label": session.title,
    }
    credit = hours_credit(**wanted)
    if credit.hours != hours or credit.earned_on != wanted["earned_on"]:
        hours_reverse(
            person=attendance.person, source=attendance, reason=reason, actor=actor
        )
        credit = hours_credit(**wanted)
    return credit
