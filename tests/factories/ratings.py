"""Rubrics, ratings, qualification kinds and qualifications for the tests
of ratings and qualifications.  Made directly (not through the services)
so a test can set up any state; tests of a service call the service."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supervision.models import (
    Qualification,
    QualificationKind,
    Rating,
    RatingScore,
    Rubric,
    RubricItem,
)
from tests.factories.supervision import PDF_BYTES

#: The smallest honest PNG: signature, IHDR, IDAT, IEND.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 40 + b"\xff\xd9"


def make_rubric(name="团辅带领胜任力", *, items=3, is_active=True) -> Rubric:
    rubric = Rubric.objects.create(name=name, is_active=is_active)
    for position in range(items):
        RubricItem.objects.create(
            rubric=rubric, position=position, text=f"{name} 第{position + 1}项"
        )
    return rubric


def make_rating(person, rater, rubric, *, score=4, comment="") -> Rating:
    """A rating with every item scored ``score``."""
    rating = Rating.objects.create(
        person=person,
        rater=rater,
        rubric=rubric,
        level=Decimal(score),
        comment=comment,
    )
    for item in rubric.items.all():
        RatingScore.objects.create(rating=rating, item=item, score=score)
    return rating


def make_qualification_kind(
    code="counsellor-3", name="国家心理咨询师三级", *, validity_months=None
) -> QualificationKind:
    return QualificationKind.objects.create(
        code=code, name=name, validity_months=validity_months
    )


def make_qualification(
    person,
    kind=None,
    *,
    status=Qualification.Status.PENDING,
    content: bytes = PDF_BYTES,
    issued_days_ago=100,
) -> Qualification:
    kind = kind or QualificationKind.objects.first() or make_qualification_kind()
    qualification = Qualification(
        person=person,
        kind=kind,
        issued_on=timezone.localdate() - datetime.timedelta(days=issued_days_ago),
        status=status,
    )
    qualification.document.save("document.pdf", ContentFile(content), save=False)
    qualification.save()
    return qualification


def document(content: bytes = PDF_BYTES, name="certificate.pdf", content_type=None):
    return SimpleUploadedFile(
        name, content, content_type=content_type or "application/pdf"
    )
