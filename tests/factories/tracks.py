"""Certification tracks, qualifications and enrolments for tests, made
directly (the services are what the tests exercise)."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from supervision.models import (
    Enrolment,
    PracticeEntry,
    Qualification,
    QualificationKind,
    Requirement,
    Track,
    TrackVersion,
)
from tests.factories.supervision import make_entry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_qualification_kind(code="counsellor-3", name="国家心理咨询师三级"):
    kind, _created = QualificationKind.objects.get_or_create(
        code=code, defaults={"name": name}
    )
    return kind


def make_track(unit, *, code="group-lead", name="团辅带领", hotline=2, published=True):
    """A track of ``unit`` with version 1: a qualification (国家心理咨询师三级)
    and ``hotline`` approved hotline entries."""
    track = Track.objects.create(code=code, name=name, unit=unit)
    version = TrackVersion.objects.create(
        track=track, number=1, published_at=timezone.now() if published else None
    )
    Requirement.objects.create(
        version=version,
        position=1,
        kind=Requirement.Kind.QUALIFICATION,
        title="持有国家心理咨询师三级证书",
        need=1,
        qualification_kind=make_qualification_kind(),
    )
    Requirement.objects.create(
        version=version,
        position=2,
        kind=Requirement.Kind.PRACTICE,
        title=f"心理热线值守 {hotline} 次",
        need=hotline,
        practice_kinds=[PracticeEntry.Kind.HOTLINE],
    )
    return track


def version_of(track, number=1) -> TrackVersion:
    return track.versions.get(number=number)


def enrol(person, track, *, status=Enrolment.Status.ENROLLED, version=None):
    return Enrolment.objects.create(
        person=person,
        track=track,
        version=version or track.versions.filter(published_at__isnull=False).first(),
        status=status,
    )


def verified_qualification(person, kind=None):
    qualification = Qualification(
        person=person,
        kind=kind or make_qualification_kind(),
        issued_on=timezone.localdate() - datetime.timedelta(days=100),
        status=Qualification.Status.VERIFIED,
    )
    qualification.document.save("q.pdf", ContentFile(PDF), save=False)
    qualification.save()
    return qualification


def approved_hotline(person, approver, count=1):
    return [
        make_entry(
            person,
            kind=PracticeEntry.Kind.HOTLINE,
            status=PracticeEntry.Status.APPROVED,
            approved_by=approver,
        )
        for _ in range(count)
    ]


def meet_everything(person, approver, hotline=2):
    verified_qualification(person)
    approved_hotline(person, approver, hotline)
