"""Rows and uploads for the case and pairing tests (made directly, not
through the services)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lms.core.models import PersonCategory, Role
from supervision.models import PairingContact
from tests.factories.core import UserFactory
from tests.factories.supervision import PDF_BYTES

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60


def upload(content: bytes = PDF_BYTES, name="consent.pdf", content_type=None):
    return SimpleUploadedFile(
        name, content, content_type=content_type or "application/pdf"
    )


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def grid_worker(unit, username: str, **fields):
    return UserFactory(
        username=username,
        home_unit=unit,
        category=PersonCategory.GRID_WORKER,
        roles=[Role.TRAINEE],
        **fields,
    )


def volunteer(unit, username: str, **fields):
    return UserFactory(
        username=username,
        home_unit=unit,
        category=PersonCategory.VOLUNTEER,
        roles=[Role.TRAINEE],
        **fields,
    )


def contact(pairing, *, on: datetime.date, by=None, channel="phone"):
    return PairingContact.objects.create(
        pairing=pairing,
        occurred_on=on,
        channel=channel,
        logged_by=by or pairing.mentor,
    )
