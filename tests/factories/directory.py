"""Pool schemes, tiers, members, masteries and coverage policies for the
directory and coverage tests, made directly with the ORM (the selectors
are what the tests exercise)."""

import itertools

from django.utils import timezone

from supervision.models import (
    PoolMember,
    PoolScheme,
    TechniqueMastery,
    Tier,
    UnitPolicy,
)
from tests.factories.supervision import make_technique

_codes = itertools.count(1)


def make_scheme(unit, *, name="心理人才库", tiers=(("part-time", 1), ("senior", 2))):
    """A scheme of ``unit`` with tiers ``(code, rank)``; returns the scheme
    and its tiers by code."""
    scheme = PoolScheme.objects.create(
        code=f"scheme-{next(_codes)}", name=name, unit=unit
    )
    made = {
        code: Tier.objects.create(scheme=scheme, code=code, name=code, rank=rank)
        for code, rank in tiers
    }
    return scheme, made


def place(person, tier) -> PoolMember:
    """``person`` in ``tier`` of its scheme."""
    return PoolMember.objects.create(person=person, scheme=tier.scheme, tier=tier)


def master(person, technique_name="空椅子技术", *, confirmed=True) -> TechniqueMastery:
    """``person`` has mastered the technique (confirmed by default)."""
    now = timezone.now()
    return TechniqueMastery.objects.create(
        person=person,
        technique=make_technique(technique_name),
        reached_at=now,
        confirmed_at=now if confirmed else None,
    )


def coverage_policy(unit, *, need=1, tier=None, track=None) -> UnitPolicy:
    """The coverage rule of ``unit`` and the units below it."""
    policy, _created = UnitPolicy.objects.update_or_create(
        unit=unit,
        defaults={
            "coverage_need": need,
            "coverage_tier": tier,
            "coverage_track": track,
        },
    )
    return policy
