"""Writes on cases (个案): open, notes, risk, consent, referral, close.

Every service checks ``can_read_case_notes`` itself: only the
practitioner and their supervisors act on a case; coordinators, leaders
and superusers by office do not.  Free text about the client goes
through ``personal_data_warnings``: short fields refuse a number that
looks like an ID or mobile number outright, notes only after the writer
confirms the text holds no personal data.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, Role, User
from lms.core.services.audit import audit_record

from ..models import Case, CaseNote, Consent, Referral
from ..permissions import can_read_case_notes
from ..text_checks import personal_data_warnings
from .cases_files import form_kind

#: Opening, closing and risk changes of a case.  ``AuditAction`` has no
#: member for them yet; the value is stored as is until it does.


def _today() -> datetime.date:
    return timezone.localdate()


def _require_case_access(actor: User, case: Case) -> None:
    if not can_read_case_notes(actor, case):
        raise PermissionDenied(
            _("Only the practitioner and their supervisors may work on this case.")
        )


def _require_open(case: Case) -> None:
    if case.closed_on is not None:
        raise ValidationError(_("This case is closed; nothing more can be added."))


def _check_date(day: datetime.date | None, *, field: str, case: Case | None = None):
    if day is None:
        raise ValidationError({field: _("Enter a date.")})
    if day > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if case is not None and day < case.opened_on:
        raise ValidationError(
            {field: _("The date cannot be before the case was opened.")}
        )


def _refuse_personal_data(text: str, *, field: str) -> None:
    warnings = personal_data_warnings(text)
    if warnings:
        raise ValidationError({field: warnings})


def _required_text(text: str, *, field: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("This field cannot be empty.")})
    if len(text) > limit:
        raise ValidationError(
            {field: _("Keep this under %(limit)d characters.") % {"limit": limit}}
        )
    return text


@transaction.atomic
def case_open(
    *,
    actor: User,
    presenting_issue: str,
    risk_level: str = Case.Risk.LOW,
    opened_on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case held by ``actor`` in their home unit; the client gets a
    generated code.  Trainees and supervisors only; the presenting issue
    may hold no ID or mobile number.  Audited."""
    if not (actor.has_role(Role.TRAINEE) or actor.has_role(Role.SUPERVISOR)):
        raise PermissionDenied(_("Only trainees and supervisors open cases."))
    if actor.home_unit_id is None:
        raise ValidationError(_("You have no home unit to hold the case."))
    opened_on = opened_on or _today()
    _check_date(opened_on, field="opened_on")
    issue = _required_text(presenting_issue, field="presenting_issue", limit=200)
    _refuse_personal_data(issue, field="presenting_issue")
    if risk_level not in Case.Risk.values:
        raise ValidationError({"risk_level": _("Choose a risk level.")})
    case = Case.objects.create(
        unit_id=actor.home_unit_id,
        practitioner=actor,
        presenting_issue=issue,
        risk_level=risk_level,
        opened_on=opened_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_CHANGE,
        obj=case,
        request=request,
        detail=f"opened; risk {risk_level}",
    )
    return case


@transaction.atomic
def case_note_add(
    *,
    actor: User,
    case: Case,
    session_on: datetime.date,
    body: str,
    confirmed: bool = False,
) -> CaseNote:
    """Add a session note.  Text that looks like it holds an ID or mobile
    number is refused unless ``confirmed`` (the writer ticked "this holds
    no personal data")."""
    _require_case_access(actor, case)
    _require_open(case)
    _check_date(session_on, field="session_on", case=case)
    body = _required_text(body, field="body", limit=10000)
    if not confirmed:
        _refuse_personal_data(body, field="body")
    return CaseNote.objects.create(
        case=case, author=actor, session_on=session_on, body=body
    )


def case_notes_read(
    *, actor: User, case: Case, request: HttpRequest | None = None
) -> list[CaseNote]:
    """The case's notes, newest first, for someone allowed to read them;
    each call writes one ``CASE_NOTES_READ`` row to the audit log."""
    _require_case_access(actor, case)
    notes = list(case.notes.select_related("author"))
    audit_record(
        actor=actor,
        action=AuditAction.CASE_NOTES_READ,
        obj=case,
        request=request,
        detail=f"{len(notes)} notes",
    )
    return notes


@transaction.atomic
def case_risk_change(
    *, actor: User, case: Case, risk_level: str, request: HttpRequest | None = None
) -> Case:
    """Change the risk level of an open case; the audit log keeps the
    history (from → to, who, when)."""
    _require_case_access(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    if risk_level not in Case.Risk.values:
        raise ValidationError({"risk_level": _("Choose a risk level.")})
    if risk_level == case.risk_level:
        raise ValidationError(
            {"risk_level": _("The case already has this risk level.")}
        )
    before = case.risk_level
    case.risk_level = risk_level
    case.save(update_fields=["risk_level"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_CHANGE,
        obj=case,
        request=request,
        detail=f"risk {before} -> {risk_level}",
    )
    return case


@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    closed_on: datetime.date,
    request: HttpRequest | None = None,
) -> Case:
    """Close a case on ``closed_on``.  Consents may still be withdrawn
    afterwards; nothing else is added.  Audited."""
    _require_case_access(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    _check_date(closed_on, field="closed_on", case=case)
    case.closed_on = closed_on
    case.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_CHANGE,
        obj=case,
        request=request,
        detail=f"closed on {closed_on.isoformat()}",
    )
    return case


def _coverage(consent: Consent) -> str:
    parts = [
        ("observation", consent.covers_observation),
        ("recording", consent.covers_recording),
        ("discussion", consent.covers_discussion),
    ]
    return ", ".join(name for name, covered in parts if covered)


@transaction.atomic
def consent_record(
    *,
    actor: User,
    case: Case,
    signed_on: datetime.date,
    covers_observation: bool,
    covers_recording: bool,
    covers_discussion: bool,
    form: File,
    request: HttpRequest | None = None,
) -> Consent:
    """Record the client's informed consent with the signed form (PDF,
    JPEG or PNG by its bytes, at most ``MAX_FORM_BYTES``), stored under
    a random name.  Everything is checked before the file is written, and
    the file is removed if the row cannot be saved.  Audited."""
    _require_case_access(actor, case)
    _require_open(case)
    _check_date(signed_on, field="signed_on")
    if not (covers_observation or covers_recording or covers_discussion):
        raise ValidationError(_("Tick at least one thing the client consented to."))
    try:
        kind = form_kind(form)
    except ValidationError as error:
        raise ValidationError({"form": error.messages}) from error
    consent = Consent(
        case=case,
        signed_on=signed_on,
        covers_observation=covers_observation,
        covers_recording=covers_recording,
        covers_discussion=covers_discussion,
        recorded_by=actor,
    )
    consent.form.save(f"form.{kind.extension}", form, save=False)
    try:
        consent.save()
        audit_record(
            actor=actor,
            action=AuditAction.CONSENT_CHANGE,
            obj=consent,
            request=request,
            detail=f"recorded: {_coverage(consent)}",
        )
    except BaseException:
        consent.form.storage.delete(consent.form.name)
        raise
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    actor: User,
    consent: Consent,
    withdrawn_on: datetime.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Withdraw a consent (also on a closed case).  From then on it lets
    no new observation entry reference the case.  Audited."""
    consent = (
        Consent.objects.select_for_update().select_related("case").get(pk=consent.pk)
    )
    _require_case_access(actor, consent.case)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    _check_date(withdrawn_on, field="withdrawn_on")
    if withdrawn_on < consent.signed_on:
        raise ValidationError(
            {"withdrawn_on": _("A consent cannot be withdrawn before it was signed.")}
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    _refuse_personal_data(note, field="note")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = actor
    consent.withdrawal_note = note
    consent.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_note"])
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_CHANGE,
        obj=consent,
        request=request,
        detail=f"withdrawn on {withdrawn_on.isoformat()}",
    )
    return consent


@transaction.atomic
def referral_add(
    *,
    actor: User,
    case: Case,
    referred_on: datetime.date,
    referred_to: str,
    reason: str,
) -> Referral:
    """Record a referral to medical care (转介); the reason may hold no ID
    or mobile number."""
    _require_case_access(actor, case)
    _require_open(case)
    _check_date(referred_on, field="referred_on", case=case)
    referred_to = _required_text(referred_to, field="referred_to", limit=200)
    reason = _required_text(reason, field="reason", limit=500)
    _refuse_personal_data(reason, field="reason")
    return Referral.objects.create(
        case=case,
        referred_on=referred_on,
        referred_to=referred_to,
        reason=reason,
        created_by=actor,
    )
