"""External qualifications: a person uploads the document (PDF, JPEG or
PNG by its bytes, into the private storage), a coordinator over them
verifies or rejects it.  A verified one may be rejected later (a forged
document found out); every step is a history row."""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.core.models import AuditAction, User
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send
from lms.core.status import status_change, status_record

from ..models import Qualification, QualificationKind
from ..permissions import can_decide_qualification
from .cases_files import MAX_FORM_BYTES, DocumentSentences, document_kind

Status = Qualification.Status

#: Largest document accepted: the consent form's limit (a photo or a scan).
MAX_DOCUMENT_BYTES = MAX_FORM_BYTES
MAX_REASON = 2000
#: No certificate is older than this; a year before it is a typing slip.
EARLIEST_ISSUE = datetime.date(1950, 1, 1)

SENTENCES = DocumentSentences(
    required=gettext_lazy("Attach the certificate or training record."),
    empty=gettext_lazy("The document is empty."),
    too_large=gettext_lazy(
        "The document is larger than %(mb)d MB; scan it at a lower resolution."
    ),
    file_type=gettext_lazy("The document must be a PDF, JPEG or PNG file."),
    hostile=gettext_lazy(
        "The document holds more than a PDF or a picture (such as a web page "
        "or a script); scan or export it again as a plain PDF, JPEG or PNG."
    ),
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` later, on the month's last day if shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _clean_dates(
    kind: QualificationKind, issued_on, expires_on
) -> tuple[datetime.date, datetime.date | None]:
    if not isinstance(issued_on, datetime.date):
        raise ValidationError({"issued_on": _("Give the date it was issued.")})
    if issued_on > timezone.localdate():
        raise ValidationError(
            {"issued_on": _("A qualification cannot be issued in the future.")}
        )
    if issued_on < EARLIEST_ISSUE:
        raise ValidationError({"issued_on": _("Check the year it was issued.")})
    if expires_on is None:
        if kind.validity_months:
            expires_on = add_months(issued_on, kind.validity_months)
    elif not isinstance(expires_on, datetime.date):
        raise ValidationError({"expires_on": _("Give the expiry as a date.")})
    elif expires_on < issued_on:
        raise ValidationError(
            {"expires_on": _("A qualification cannot expire before it was issued.")}
        )
    return issued_on, expires_on


def qualification_upload(
    *,
    actor: User,
    kind: QualificationKind,
    issued_on: datetime.date,
    expires_on: datetime.date | None,
    file: File,
    request: HttpRequest | None = None,
) -> Qualification:
    """``actor`` hands in a qualification of ``kind``, waiting for a
    coordinator's verification.

    Anyone signed in with a home unit (so a coordinator is over them) may
    upload their own.  ``expires_on`` left empty follows from the kind's
    ``validity_months`` when it has one.  The document is checked by its
    bytes (``document_kind``, strict: no HTML, SVG or polyglot) before
    anything is written, and removed again if the row cannot be saved: a
    refusal leaves neither file nor row.
    """
    if not actor.is_authenticated or actor.home_unit_id is None:
        raise PermissionDenied(
            _("Only a member of a unit can hand in a qualification.")
        )
    kind = QualificationKind.objects.filter(pk=getattr(kind, "pk", None)).first()
    if kind is None:
        raise ValidationError({"kind": _("Choose the kind of qualification.")})
    issued_on, expires_on = _clean_dates(kind, issued_on, expires_on)
    try:
        found = document_kind(
            file, sentences=SENTENCES, max_bytes=MAX_DOCUMENT_BYTES, strict=True
        )
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    qualification = Qualification(
        person=actor, kind=kind, issued_on=issued_on, expires_on=expires_on
    )
    qualification.document.save(f"document.{found.extension}", file, save=False)
    try:
        with transaction.atomic():
            qualification.save()
            status_record(qualification, actor=actor)
    except BaseException:
        qualification.document.storage.delete(qualification.document.name)
        raise
    return qualification


@transaction.atomic
def qualification_decide(
    *,
    actor: User,
    qualification: Qualification,
    accept: bool,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Qualification:
    """A coordinator over the holder verifies (``accept``) or rejects a
    qualification; rejecting needs a reason.  A verified one may still be
    rejected (a revocation); a rejected one is final.  Moves the status
    through ``status_change`` (history row with the reason), writes an
    audit row and tells the holder."""
    qualification = (
        Qualification.objects.select_for_update(of=("self",))
        .select_related("person", "kind")
        .get(pk=qualification.pk)
    )
    if not can_decide_qualification(actor, qualification):
        raise PermissionDenied(
            _("Only a coordinator over the holder may verify a qualification.")
        )
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise ValidationError(
            {
                "reason": _("The reason may be at most %(n)d characters long.")
                % {"n": MAX_REASON}
            }
        )
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError(
            {"reason": _("Say why the qualification is not accepted.")}
        )
    to = Status.VERIFIED if accept else Status.REJECTED
    status_change(qualification, to=to, actor=actor, comment=reason, update_fields=[])
    audit_record(
        actor=actor,
        action=AuditAction.QUALIFICATION,
        obj=qualification,
        request=request,
        detail=f"qualification {to}",
    )
    if accept:
        text = _("Your qualification “%(kind)s” was verified.")
    else:
        text = _("Your qualification “%(kind)s” was not accepted: %(reason)s")
    notice_send(
        person=qualification.person,
        text=text % {"kind": qualification.kind.name, "reason": reason},
        url=reverse("supervision:qualification_list"),
    )
    return qualification
