"""Writes of the practice log (实践记录): drafts, submission, sign-off,
amendments.

Every status change locks the row (``select_for_update``) and goes
through ``lms.core.status.status_change``, which follows
``PracticeEntry.TRANSITIONS`` and writes an ``EntryTransition``; approve
and return also write an audit row.  Approval credits practice hours once; an
approved entry is locked (here, and by a database trigger), and a
correction is an amendment that itself needs approval.

Decisions where the issue was silent:

* An observation needs a consent standing on the entry's date when it is
  created, edited or (re)submitted; a withdrawal therefore also stops a
  draft made before it from being submitted.  An entry already submitted
  may still be approved: the observation happened with consent.
* A linked shift must be one the trainee checked in to, on the entry's date.
* Bulk approval is all or nothing: if any entry cannot be approved, none
  is, and the message lists which and why.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, HoursCategory, User
from lms.core.services.audit import audit_record
from lms.core.services.ledger import hours_credit, hours_reverse
from lms.core.services.notices import notice_send
from lms.core.status import status_change, status_record

from ..models import PracticeEntry
from ..permissions import can_sign_off
from .entries_validation import check_entry_fields, reason_error

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind
#: Fields a trainee may set on an entry.
FIELDS = (
    "kind",
    "occurred_on",
    "minutes",
    "title",
    "reflection",
    "shift",
    "case",
    "session",
    "technique",
    "deployment",
)
#: Kinds a supervisor must look at one by one (never bulk-approved).
BULK_LIMIT = 200


def entry_hours(entry: PracticeEntry) -> Decimal:
    """The entry's minutes as hours, to two places."""
    return (Decimal(entry.minutes) / Decimal(60)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _entry_url(entry: PracticeEntry) -> str:
    return reverse("supervision:entry_detail", args=[entry.pk])


def _fields_of(entry: PracticeEntry) -> dict:
    return {field: getattr(entry, field) for field in FIELDS}


def _normalised(data: dict) -> dict:
    data = dict(data)
    for field in ("title", "reflection"):
        data[field] = (data.get(field) or "").strip()
    if data.get("kind") != Kind.TECHNIQUE:
        data["technique"] = None
    if data.get("kind") != Kind.CRISIS:
        data["deployment"] = None
    return data


def _unknown_fields(fields: dict) -> None:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown entry fields: {sorted(unknown)}")


def _lock(entry: PracticeEntry) -> PracticeEntry:
    return PracticeEntry.objects.select_for_update().get(pk=entry.pk)


def _refuse_if_locked(entry: PracticeEntry) -> None:
    if entry.status == Status.APPROVED:
        raise ValidationError(edit_refusal(entry))


def edit_refusal(entry: PracticeEntry) -> str | None:
    """Why the trainee cannot edit ``entry`` now, or ``None`` if they can."""
    if entry.status == Status.APPROVED:
        return _(
            "This entry has been approved and is locked. To correct it, add an amendment."
        )
    if entry.status not in PracticeEntry.EDITABLE:
        return _("This entry is waiting for a supervisor and cannot be changed now.")
    return None


def _require_owner(actor: User, entry: PracticeEntry) -> None:
    if actor.pk != entry.person_id:
        raise PermissionDenied(_("Only the trainee who logged this entry may do that."))


# --- the trainee's side -----------------------------------------------------------


@transaction.atomic
def practice_entry_create(
    *,
    actor: User,
    kind: str,
    occurred_on,
    minutes: int,
    reflection: str = "",
    title: str = "",
    shift=None,
    case=None,
    session=None,
    technique=None,
    deployment=None,
) -> PracticeEntry:
    """Log a draft entry of ``actor``'s own practice, in their home unit.

    Checks every field (``entries_validation``); nothing is saved when one
    is wrong.  A crisis intervention names a deployment whose call-out
    ``actor`` accepted.  Writes a history row "created as draft"."""
    if actor.home_unit_id is None:
        raise ValidationError(_("You need a home unit before you can log practice."))
    data = _normalised(
        dict(kind=kind, occurred_on=occurred_on, minutes=minutes, title=title)
        | dict(reflection=reflection, shift=shift, case=case)
        | dict(session=session, technique=technique, deployment=deployment)
    )
    check_entry_fields(data, person=actor)
    entry = PracticeEntry.objects.create(person=actor, unit=actor.home_unit, **data)
    status_record(entry, actor=actor)
    return entry


@transaction.atomic
def practice_entry_update(*, actor: User, entry: PracticeEntry, **fields):
    """Change a draft or returned entry; only its trainee may.  An approved
    entry is locked: the message says to add an amendment instead."""
    _unknown_fields(fields)
    locked = _lock(entry)
    _refuse_if_locked(locked)
    _require_owner(actor, locked)
    message = edit_refusal(locked)
    if message:
        raise ValidationError(message)
    data = _normalised(_fields_of(locked) | fields)
    earliest = locked.amends.occurred_on if locked.amends_id else None
    check_entry_fields(data, person=locked.person, earliest=earliest)
    for field, value in data.items():
        setattr(locked, field, value)
    locked.save()
    return locked


@transaction.atomic
def practice_entry_submit(*, actor: User, entry: PracticeEntry, request=None):
    """Send a draft (submitted) or a returned entry (resubmitted) to the
    supervisors; only its trainee may.  The fields are checked again, so
    a consent withdrawn since the draft was written stops it here."""
    locked = _lock(entry)
    _refuse_if_locked(locked)
    _require_owner(actor, locked)
    earliest = locked.amends.occurred_on if locked.amends_id else None
    check_entry_fields(_fields_of(locked), person=locked.person, earliest=earliest)
    to = Status.RESUBMITTED if locked.status == Status.RETURNED else Status.SUBMITTED
    locked.submitted_at = timezone.now()
    status_change(locked, to=to, actor=actor)
    return locked


@transaction.atomic
def practice_entry_delete(*, actor: User, entry: PracticeEntry) -> None:
    """Delete a draft; only its trainee may.  Anything submitted stays,
    with its history."""
    locked = _lock(entry)
    _refuse_if_locked(locked)
    _require_owner(actor, locked)
    if locked.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be deleted."))
    locked.delete()


@transaction.atomic
def practice_entry_amend(
    *, actor: User, entry: PracticeEntry, reason: str, **fields
) -> PracticeEntry:
    """Start a correction of an approved entry: a new draft linked to it,
    with the reason, which goes through sign-off like any entry.

    Only the trainee; only the standing version (not one already
    superseded); one open amendment at a time (the original's row lock
    keeps two at once from both passing)."""
    _unknown_fields(fields)
    original = _lock(entry)
    _require_owner(actor, original)
    if original.status != Status.APPROVED:
        raise ValidationError(
            _("Only an approved entry needs an amendment; edit this one instead.")
        )
    if original.amendments.filter(status=Status.APPROVED).exists():
        raise ValidationError(
            _("This entry has already been corrected; amend the latest amendment.")
        )
    if original.amendments.exists():
        raise ValidationError(
            _("This entry already has an amendment in progress; finish that one first.")
        )
    message = reason_error(reason)
    if message:
        raise ValidationError({"amendment_reason": message})
    data = _normalised(_fields_of(original) | fields)
    check_entry_fields(data, person=actor, earliest=original.occurred_on)
    amendment = PracticeEntry.objects.create(
        person=actor,
        unit=original.unit,
        amends=original,
        amendment_reason=reason.strip(),
        **data,
    )
    status_record(amendment, actor=actor, comment=reason.strip())
    return amendment


# --- the supervisor's side --------------------------------------------------------


def _require_signer(actor: User, entry: PracticeEntry) -> None:
    if not can_sign_off(actor, entry):
        raise PermissionDenied(
            _("Only a supervisor responsible for this trainee may sign off this entry.")
        )


def _require_pending(entry: PracticeEntry) -> None:
    _refuse_if_locked(entry)
    if entry.status not in PracticeEntry.PENDING:
        raise ValidationError(_("This entry has not been submitted for sign-off."))


def _credit(*, actor: User, entry: PracticeEntry) -> None:
    """Credit the entry's hours; an amendment first reverses the standing
    credit of the entry it corrects."""
    if entry.amends_id is not None:
        hours_reverse(
            person=entry.person,
            source=entry.amends,
            reason=_("Superseded by amendment %(id)s.") % {"id": entry.pk},
            actor=actor,
        )
    hours_credit(
        person=entry.person,
        category=HoursCategory.PRACTICE,
        hours=entry_hours(entry),
        source=entry,
        earned_on=entry.occurred_on,
        actor=actor,
    )


def _approve_locked(*, actor: User, entry: PracticeEntry, comment: str, request):
    _require_signer(actor, entry)
    _require_pending(entry)
    entry.approved_at = timezone.now()
    entry.approved_by = actor
    status_change(entry, to=Status.APPROVED, actor=actor, comment=comment)
    audit_record(
        actor=actor,
        action=AuditAction.SIGN_OFF,
        obj=entry,
        request=request,
        detail=f"approved {comment}".strip(),
    )
    _credit(actor=actor, entry=entry)
    if entry.kind == Kind.TECHNIQUE and entry.technique_id:
        from .techniques import mastery_refresh

        mastery_refresh(person=entry.person, technique=entry.technique)
    notice_send(
        person=entry.person,
        text=_("Your practice entry of %(date)s was approved.")
        % {"date": entry.occurred_on.isoformat()},
        url=_entry_url(entry),
    )
    return entry


def _comment_error(comment) -> str | None:
    if not isinstance(comment, str):
        return _("Write a comment.")
    if "\x00" in comment:
        return _("The comment contains a null character; remove it.")
    if len(comment) > 2000:
        return _("The comment is too long: at most 2000 characters.")
    return None


@transaction.atomic
def practice_entry_approve(
    *, actor: User, entry: PracticeEntry, comment: str = "", request=None
) -> PracticeEntry:
    """Approve a submitted or resubmitted entry and lock it.

    Only ``can_sign_off`` (never the trainee).  The row lock makes two
    approvals at once approve once: the second finds it approved and is
    refused.  Credits practice hours once (an amendment also reverses its
    original's), refreshes technique mastery, and tells the trainee."""
    message = _comment_error(comment or "")
    if message:
        raise ValidationError({"comment": message})
    locked = _lock(entry)
    return _approve_locked(
        actor=actor, entry=locked, comment=(comment or "").strip(), request=request
    )


@transaction.atomic
def practice_entry_return(
    *, actor: User, entry: PracticeEntry, comment: str, request=None
) -> PracticeEntry:
    """Send a submitted entry back to the trainee with a comment (required)
    saying what to change; only ``can_sign_off``.  Tells the trainee."""
    message = _comment_error(comment)
    if message is None and not comment.strip():
        message = _("Write a comment saying what the trainee should change.")
    if message:
        raise ValidationError({"comment": message})
    locked = _lock(entry)
    _require_signer(actor, locked)
    _require_pending(locked)
    status_change(locked, to=Status.RETURNED, actor=actor, comment=comment.strip())
    audit_record(
        actor=actor,
        action=AuditAction.SIGN_OFF,
        obj=locked,
        request=request,
        detail=f"returned {comment.strip()}",
    )
    notice_send(
        person=locked.person,
        text=_("Your practice entry of %(date)s was returned: %(comment)s")
        % {"date": locked.occurred_on.isoformat(), "comment": comment.strip()},
        url=_entry_url(locked),
    )
    return locked


def _bulk_problem(actor: User, entry: PracticeEntry) -> str | None:
    if entry.status not in PracticeEntry.PENDING:
        return _("not waiting for sign-off")
    if not entry.may_bulk_approve:
        return _("needs to be approved on its own page")
    if not can_sign_off(actor, entry):
        return _("not a trainee you sign off")
    return None


@transaction.atomic
def practice_entries_approve_bulk(*, actor: User, entries, request=None) -> int:
    """Approve several plain entries at once (see ``PracticeEntry.may_bulk_approve``); returns
    how many.  All or nothing: if any cannot be approved, none is, and the
    message lists each with the reason."""
    ids = sorted({getattr(entry, "pk", entry) for entry in entries})
    if not ids:
        raise ValidationError(_("Choose at least one entry to approve."))
    if len(ids) > BULK_LIMIT:
        raise ValidationError(
            _("Approve at most %(limit)d entries at a time.") % {"limit": BULK_LIMIT}
        )
    locked = list(
        PracticeEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("person", "shift")
        .order_by("pk")
    )
    problems = [
        _("%(entry)s of %(person)s (%(date)s): %(reason)s.")
        % {"entry": e, "person": e.person, "date": e.occurred_on, "reason": reason}
        for e in locked
        if (reason := _bulk_problem(actor, e))
    ]
    if problems or len(locked) != len(ids):
        raise ValidationError(
            [_("Nothing was approved. These entries cannot be approved together:")]
            + (problems or [_("Some entries no longer exist.")])
        )
    for entry in locked:
        _approve_locked(actor=actor, entry=entry, comment="", request=request)
    return len(locked)
