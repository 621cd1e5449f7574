"""Check an uploaded signed consent form by its bytes.  No ORM.

The uploaded name and the browser's content type decide nothing: a text
file renamed ``.pdf`` or a program is refused, and the stored name is
random (``supervision.models.cases.consent_upload_to``).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Largest signed form accepted: a phone photo or a scanned page or two.
MAX_FORM_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FormKind:
    extension: str
    content_type: str
    magic: bytes


KINDS = (
    FormKind("pdf", "application/pdf", b"%PDF-"),
    FormKind("png", "image/png", b"\x89PNG\r\n\x1a\n"),
    FormKind("jpg", "image/jpeg", b"\xff\xd8\xff"),
)
CONTENT_TYPES = {kind.extension: kind.content_type for kind in KINDS}


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    return size


def form_kind(upload) -> FormKind:
    """The kind of ``upload`` (a Django ``File``) by its first bytes.

    Raises ``ValidationError`` with a whole sentence for a missing, empty,
    too large or unrecognised file.  Leaves the file at its start.
    """
    if upload is None:
        raise ValidationError(_("Attach the signed consent form."), code="required")
    size = _size_of(upload)
    if size == 0:
        raise ValidationError(_("The signed form is empty."), code="empty")
    if size > MAX_FORM_BYTES:
        raise ValidationError(
            _(
                "The signed form is larger than %(mb)d MB; scan it at a lower resolution."
            )
            % {"mb": MAX_FORM_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind in KINDS:
        if head.startswith(kind.magic):
            return kind
    raise ValidationError(
        _("The signed form must be a PDF, JPEG or PNG file."), code="file_type"
    )


def content_type_of(name: str) -> str:
    """The content type to serve a stored form with (by the extension we
    chose when storing it)."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
