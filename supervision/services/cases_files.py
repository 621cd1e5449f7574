"""Check an uploaded document (a signed consent form, a qualification
certificate) by its bytes.  No ORM.

The uploaded name and the browser's content type decide nothing: a text
file renamed ``.pdf`` or a program is refused, and the stored name is
random (``supervision.models.cases.consent_upload_to``,
``supervision.models.qualifications.qualification_upload_to``).
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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


@dataclass(frozen=True)
class DocumentSentences:
    """What a refusal says, in the words of the document asked for."""

    required: str
    empty: str
    too_large: str  # with %(mb)d
    file_type: str
    hostile: str = ""


CONSENT_SENTENCES = DocumentSentences(
    required=_("Attach the signed consent form."),
    empty=_("The signed form is empty."),
    too_large=_(
        "The signed form is larger than %(mb)d MB; scan it at a lower resolution."
    ),
    file_type=_("The signed form must be a PDF, JPEG or PNG file."),
)

#: Markup a browser would run or render, looked for anywhere in a strictly
#: checked document (a polyglot: valid magic bytes with a page behind
#: them).  Each marker is long enough, or ends in a delimiter, that the
#: compressed streams of an honest 10 MB file do not produce it by chance.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|svg|object|embed|frameset)[\s/>]"
    rb"|<!doctype|<\?php|javascript:|/javascript\b",
    re.IGNORECASE,
)
_CHUNK = 64 * 1024
_OVERLAP = 32
#: The bytes that end a PNG (the IEND chunk and its checksum).
_PNG_END = b"IEND\xaeB`\x82"
#: A PDF ends with %%EOF within its last kilobyte (as readers accept it).
_PDF_TAIL = 1024


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    return size


def _has_markup(upload) -> bool:
    upload.seek(0)
    carry = b""
    while chunk := upload.read(_CHUNK):
        if _MARKUP.search(carry + chunk):
            return True
        carry = chunk[-_OVERLAP:]
    return False


def _tail(upload, size: int, length: int) -> bytes:
    upload.seek(max(0, size - length))
    return upload.read(length)


def _ends_properly(upload, kind: FormKind, size: int) -> bool:
    """Nothing hides behind the end of the picture or the document."""
    if kind.extension == "png":
        return _tail(upload, size, len(_PNG_END)) == _PNG_END
    if kind.extension == "pdf":
        return b"%%EOF" in _tail(upload, size, _PDF_TAIL)
    return True


def document_kind(
    upload,
    *,
    sentences: DocumentSentences = CONSENT_SENTENCES,
    max_bytes: int = MAX_FORM_BYTES,
    strict: bool = False,
) -> FormKind:
    """The kind of ``upload`` (a Django ``File``) by its first bytes.

    Raises ``ValidationError`` with one of ``sentences`` for a missing,
    empty, too large or unrecognised file.  ``strict`` also refuses a
    polyglot: markup anywhere in the file (HTML, SVG, script), or bytes
    after the end of a PNG or a PDF.  Leaves the file at its start.
    """
    if upload is None:
        raise ValidationError(sentences.required, code="required")
    size = _size_of(upload)
    if size == 0:
        raise ValidationError(sentences.empty, code="empty")
    if size > max_bytes:
        raise ValidationError(
            str(sentences.too_large) % {"mb": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    found = next((kind for kind in KINDS if head.startswith(kind.magic)), None)
    if found is None:
        upload.seek(0)
        raise ValidationError(sentences.file_type, code="file_type")
    if strict and (_has_markup(upload) or not _ends_properly(upload, found, size)):
        upload.seek(0)
        raise ValidationError(
            sentences.hostile or sentences.file_type, code="file_hostile"
        )
    upload.seek(0)
    return found


def form_kind(upload) -> FormKind:
    """The kind of a signed consent form (``document_kind`` with the
    consent form's sentences)."""
    return document_kind(upload, sentences=CONSENT_SENTENCES)
