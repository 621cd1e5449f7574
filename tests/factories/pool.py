"""Talent-pool rows for tests: schemes, tiers with rules (tier-purpose
track versions), members and certificates.  Made directly with the ORM,
so a test can set up any state; the services are what the tests
exercise."""

import datetime
import itertools

from django.utils import timezone

from supervision.models import (
    PoolMember,
    PoolScheme,
    Requirement,
    Tier,
    Track,
)
from tests.factories.certificates import make_certificate
from tests.factories.certification import make_track as make_rules_track

_numbers = itertools.count(1)


def make_scheme(unit, code=None, name=None) -> PoolScheme:
    code = code or f"scheme-{next(_numbers)}"
    return PoolScheme.objects.create(code=code, name=name or code, unit=unit)


def make_certification_track(unit, code=None, **fields) -> Track:
    """A certification track whose certificate a tier may ask for."""
    track, _version = make_rules_track(unit, code or f"cert-{next(_numbers)}", **fields)
    return track


def make_rules(unit, requirements=(), code=None):
    """A published version of a tier-rules track of ``unit`` holding
    ``requirements`` (``make_requirement`` arguments as dicts)."""
    _track, version = make_rules_track(
        unit,
        code or f"rules-{next(_numbers)}",
        requirements=requirements,
        purpose=Track.Purpose.TIER,
    )
    return version


def certificate_rules(unit, track, need=1):
    """Rules asking for ``need`` valid certificates of ``track``."""
    return make_rules(
        unit,
        [
            {
                "kind": Requirement.Kind.CERTIFICATE,
                "need": need,
                "certificate_track": track,
                "title": f"持有有效的{track.name}证书",
            }
        ],
    )


def make_tier(scheme, rank, *, code=None, name=None, rules=None, group="") -> Tier:
    code = code or f"tier-{next(_numbers)}"
    return Tier.objects.create(
        scheme=scheme,
        code=code,
        name=name or code,
        rank=rank,
        rules=rules,
        group=group,
    )


def place(person, tier, *, since=None, review_reason="") -> PoolMember:
    return PoolMember.objects.create(
        person=person,
        scheme=tier.scheme,
        tier=tier,
        since=since or timezone.now(),
        review_reason=review_reason,
        flagged_at=timezone.now() if review_reason else None,
    )


def certify(person, track, *, expires_in_days=365, **fields):
    """A certificate of ``track`` for ``person``, expiring in so many days
    (``None``: never)."""
    today = timezone.localdate()
    expires = (
        None
        if expires_in_days is None
        else today + datetime.timedelta(days=expires_in_days)
    )
    fields.setdefault(
        "issued_on", min(today, (expires or today)) - datetime.timedelta(days=30)
    )
    return make_certificate(person, track, expires_on=expires, **fields)


_sources = itertools.count(10_000)


def credit_hours(person, category, hours, *, earned_on=None):
    """A standing ledger credit of ``hours`` in ``category`` (a unit as
    its source, so no real record is needed)."""
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType

    from lms.core.models import HoursEntry, OrgUnit

    return HoursEntry.objects.create(
        person=person,
        unit=person.home_unit,
        category=category,
        hours=Decimal(str(hours)),
        kind=HoursEntry.Kind.CREDIT,
        earned_on=earned_on or timezone.localdate() - datetime.timedelta(days=3),
        source_type=ContentType.objects.get_for_model(OrgUnit),
        source_id=next(_sources),
        source_label="测试",
    )
