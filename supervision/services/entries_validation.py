"""The rules an entry's fields must meet, with whole-sentence messages.

Used by ``supervision.services.entries`` on create, update, amend and
submit.  Errors are keyed by model field name so forms can show them next
to the field (the form shows ``case`` errors at its client-code field).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Attendance, OfflineSession
from lms.core.models import User

from ..models import (
    Case,
    Deployment,
    DutyShift,
    PracticeEntry,
    ShiftSignup,
    Technique,
)
from ..selectors.cases import observation_consent_on
from ..selectors.crisis import deployments_accepted_by
from ..selectors.entries import cases_in_reach

#: How far back an entry may be dated.
MAX_AGE_DAYS = 365
MAX_MINUTES = 24 * 60
Kind = PracticeEntry.Kind


def _text_errors(data: dict) -> dict:
    errors = {}
    limits = {"title": 120, "reflection": 5000, "amendment_reason": 500}
    for field, limit in limits.items():
        value = data.get(field) or ""
        if "\x00" in value:
            errors[field] = _("The text contains a null character; remove it.")
        elif len(value) > limit:
            errors[field] = _(
                "The text is too long: at most %(limit)d characters, it has %(count)d."
            ) % {"limit": limit, "count": len(value)}
    return errors


def _minutes_error(minutes) -> str | None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return _("Enter the minutes as a whole number.")
    if not 1 <= minutes <= MAX_MINUTES:
        return _("Minutes must be a whole number from 1 to 1440 (one day).")
    return None


def _date_error(on, *, earliest: datetime.date) -> str | None:
    if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
        return _("Enter the date the practice took place.")
    if on > timezone.localdate():
        return _("The date cannot be in the future.")
    if on < earliest:
        return _("The date is too long ago: log practice within a year of doing it.")
    return None


def _case_errors(data: dict, *, person: User, kind: str) -> dict:
    case: Case | None = data.get("case")
    if case is None:
        if kind == Kind.OBSERVATION:
            return {"case": _("An observation needs the client code of the case.")}
        if kind == Kind.TECHNIQUE:
            return {
                "case": _("Name the client (case code) you used the technique with.")
            }
        return {}
    if not cases_in_reach(person=person).filter(pk=case.pk).exists():
        return {"case": no_case_message()}
    on = data.get("occurred_on")
    if kind != Kind.OBSERVATION or not isinstance(on, datetime.date):
        return {}
    if observation_consent_on(case=case, on=on) is not None:
        return {}
    withdrawn = case.consents.filter(
        covers_observation=True, withdrawn_on__isnull=False
    ).exists()
    if withdrawn:
        return {
            "case": _(
                "The client has withdrawn their consent to observation, so no "
                "observation of this case can be logged or submitted."
            )
        }
    return {
        "case": _(
            "This client has no informed consent to observation on that date, "
            "so the observation cannot be logged."
        )
    }


def no_case_message() -> str:
    return _("There is no case with this client code that you can log practice for.")


def _technique_error(technique: Technique | None, kind: str) -> str | None:
    if kind == Kind.TECHNIQUE and technique is None:
        return _("Choose the technique you used.")
    if technique is not None and not technique.is_active:
        return _("This technique is no longer offered; choose another.")
    return None


def _shift_error(shift: DutyShift | None, *, person: User, on) -> str | None:
    if shift is None:
        return None
    attended = ShiftSignup.objects.filter(
        shift=shift, person=person, checked_in_at__isnull=False
    ).exists()
    if not attended:
        return _("You can only link a shift you signed up for and checked in to.")
    if isinstance(on, datetime.date) and timezone.localdate(shift.starts_at) != on:
        return _("The date must be the day of the linked shift.")
    return None


def _session_error(session: OfflineSession | None, *, person: User) -> str | None:
    if session is None:
        return None
    present = Attendance.objects.filter(
        session=session, person=person, status=Attendance.Status.PRESENT
    ).exists()
    if not present:
        return _("You can only link a session you attended.")
    return None


def _deployment_error(
    deployment: Deployment | None, *, person: User, kind: str, on
) -> str | None:
    """A crisis intervention names a deployment whose call-out the person
    accepted (not cancelled, not still being assembled), and falls within
    its dates; no other kind names one."""
    if kind != Kind.CRISIS:
        return None
    if deployment is None:
        return _("Choose the crisis deployment you worked on.")
    if not deployments_accepted_by(person=person).filter(pk=deployment.pk).exists():
        return _("You can only link a crisis deployment whose call-out you accepted.")
    if isinstance(on, datetime.date) and not (
        deployment.starts_on <= on <= deployment.ends_on
    ):
        return _(
            "The date must fall within the deployment, from %(start)s to %(end)s."
        ) % {
            "start": deployment.starts_on.isoformat(),
            "end": deployment.ends_on.isoformat(),
        }
    return None


def check_entry_fields(
    data: dict, *, person: User, earliest: datetime.date | None = None
) -> None:
    """Raise one ``ValidationError`` naming every field that breaks a rule.

    ``data`` holds the entry's full set of fields; ``earliest`` lowers the
    date limit (an amendment may keep its original's date)."""
    kind = data.get("kind")
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose what kind of practice this was.")})
    cutoff = timezone.localdate() - datetime.timedelta(days=MAX_AGE_DAYS)
    earliest = min(earliest, cutoff) if earliest else cutoff
    errors = _text_errors(data)
    checks = {
        "minutes": _minutes_error(data.get("minutes")),
        "occurred_on": _date_error(data.get("occurred_on"), earliest=earliest),
        "technique": _technique_error(data.get("technique"), kind),
        "shift": _shift_error(
            data.get("shift"), person=person, on=data.get("occurred_on")
        ),
        "session": _session_error(data.get("session"), person=person),
        "deployment": _deployment_error(
            data.get("deployment"),
            person=person,
            kind=kind,
            on=data.get("occurred_on"),
        ),
    }
    errors.update({field: message for field, message in checks.items() if message})
    errors.update(_case_errors(data, person=person, kind=kind))
    if errors:
        raise ValidationError(errors)


def reason_error(reason) -> str | None:
    """Why an amendment's reason is not acceptable, if it is not."""
    if not isinstance(reason, str) or not reason.strip():
        return _("Give the reason for the amendment.")
    return _text_errors({"amendment_reason": reason}).get("amendment_reason")
