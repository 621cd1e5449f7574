"""Certification rows for the certificate tests: a track with a published
version, an enrolment in any status and a certificate in any state.  Made
directly with the ORM (not through the track services), so the
certificate tests depend on nothing but the models."""

import datetime
import itertools

from django.utils import timezone

from supervision.models import Certificate, Enrolment, Track, TrackVersion

_codes = itertools.count(1)


def make_track(unit, *, name="团辅带领", validity_months=36, code=None) -> Track:
    """A track of ``unit`` with version 1 published."""
    track = Track.objects.create(
        code=code or f"track-{next(_codes)}",
        name=name,
        unit=unit,
        validity_months=validity_months,
    )
    TrackVersion.objects.create(track=track, number=1, published_at=timezone.now())
    return track


def make_enrolment(person, track=None, *, status=Enrolment.Status.APPROVED):
    """``person`` enrolled in ``track`` (a new one of their unit if none),
    held to its latest version, in ``status``."""
    track = track or make_track(person.home_unit)
    return Enrolment.objects.create(
        person=person,
        track=track,
        version=track.versions.order_by("-number").first(),
        status=status,
    )


def make_certificate(
    person,
    track=None,
    *,
    issued_on=None,
    expires_on: datetime.date | None | str = "auto",
    status=Certificate.Status.ISSUED,
    unit=None,
    renews=None,
) -> Certificate:
    """A certificate of ``person`` (an approved enrolment made for it),
    issued ``issued_on`` (default today), expiring ``expires_on`` (default
    three years on; ``None``: never), of the person's unit."""
    if renews is not None:
        enrolment = renews.enrolment
    else:
        enrolment = make_enrolment(person, track)
    issued_on = issued_on or timezone.localdate()
    if expires_on == "auto":
        expires_on = issued_on.replace(year=issued_on.year + 3)
    return Certificate.objects.create(
        enrolment=enrolment,
        holder=person,
        track=enrolment.track,
        version=enrolment.version,
        unit=unit or person.home_unit,
        issued_on=issued_on,
        expires_on=expires_on,
        status=status,
        renews=renews,
    )
