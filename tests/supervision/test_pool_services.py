"""Tier decisions and review flags (``supervision.services.pool``): who may
decide, what a decision writes, and how lapsed certificates flag members
without moving them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from lms.core.models import AuditAction, AuditEvent, Notice, Role
from supervision.models import Certificate, PoolMember, TierChange
from supervision.services.certificates import certificate_revoke
from supervision.services.pool import (
    pool_flag_holder,
    pool_flag_lapsed,
    pool_remove,
    review_keep,
    tier_place,
)
from tests.factories.core import UserFactory
from tests.factories.pool import (
    certificate_rules,
    certify,
    make_certification_track,
    make_scheme,
    make_tier,
    place,
)

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English, the source language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def pool(org):
    """The city's scheme: an entry tier without rules, a senior tier that
    needs a valid 团辅带领 certificate, and a top tier without rules."""
    track = make_certification_track(org.city, "group-lead", name="团辅带领")
    scheme = make_scheme(org.city, "city-pool", "市人才库")
    org.track = track
    org.scheme = scheme
    org.entry = make_tier(scheme, 1, code="part-time", name="兼职心理辅导员")
    org.senior = make_tier(
        scheme,
        2,
        code="senior",
        name="资深咨询师",
        rules=certificate_rules(org.city, track),
        group="心理人才库",
    )
    org.expert = make_tier(scheme, 3, code="expert", name="外聘心理专家")
    return org


def test_a_coordinator_places_a_person_in_a_rule_less_entry_tier(pool):
    # when the east coordinator adds the trainee to the pool
    member = tier_place(
        actor=pool.coordinator, person=pool.trainee, tier=pool.entry, reason="推荐"
    )
    # then the trainee is a member, the history, audit and notice say so
    assert member.tier == pool.entry
    change = TierChange.objects.get(person=pool.trainee)
    assert (change.from_tier, change.to_tier, change.actor) == (
        None,
        pool.entry,
        pool.coordinator,
    )
    assert change.reason == "推荐"
    assert AuditEvent.objects.filter(
        action=AuditAction.TIER, actor=pool.coordinator
    ).exists()
    assert Notice.objects.filter(person=pool.trainee).count() == 1


def test_promotion_needs_the_tier_rules_met(pool):
    place(pool.trainee, pool.entry)
    # without the certificate: refused with the gap, nothing written
    with pytest.raises(ValidationError) as refused:
        tier_place(
            actor=pool.coordinator, person=pool.trainee, tier=pool.senior, reason="x"
        )
    assert any("团辅带领" in message for message in refused.value.messages)
    assert PoolMember.objects.get(person=pool.trainee).tier == pool.entry
    assert not TierChange.objects.exists()
    # with it: promoted
    certify(pool.trainee, pool.track)
    member = tier_place(
        actor=pool.coordinator, person=pool.trainee, tier=pool.senior, reason="达标"
    )
    assert member.tier == pool.senior
    assert TierChange.objects.get().from_tier == pool.entry


def test_a_rule_less_senior_tier_is_the_coordinators_decision_alone(pool):
    member = tier_place(
        actor=pool.coordinator, person=pool.trainee, tier=pool.expert, reason="外聘"
    )
    assert member.tier == pool.expert


def test_moving_down_needs_no_rule(pool):
    place(pool.trainee, pool.expert)
    member = tier_place(
        actor=pool.coordinator, person=pool.trainee, tier=pool.entry, reason="调整"
    )
    assert member.tier == pool.entry
    assert "兼职心理辅导员" in Notice.objects.get(person=pool.trainee).text


@pytest.mark.parametrize("who", ["trainee", "leader", "sibling", "supervisor"])
def test_only_a_coordinator_over_the_person_decides(pool, who):
    with pytest.raises(PermissionDenied):
        tier_place(
            actor=getattr(pool, who), person=pool.trainee, tier=pool.entry, reason="x"
        )
    assert not PoolMember.objects.exists()


def test_nobody_promotes_themselves(pool):
    # a coordinator of the east station, also a person of the pool
    with pytest.raises(PermissionDenied) as refused:
        tier_place(
            actor=pool.coordinator,
            person=pool.coordinator,
            tier=pool.expert,
            reason="我自己",
        )
    assert "own" in str(refused.value)
    assert not PoolMember.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001, "坏\x00字"])
def test_the_reason_is_required_and_bounded(pool, reason):
    with pytest.raises(ValidationError):
        tier_place(
            actor=pool.coordinator, person=pool.trainee, tier=pool.entry, reason=reason
        )
    assert not PoolMember.objects.exists()
    assert not TierChange.objects.exists()


def test_a_scheme_of_another_subtree_does_not_apply(pool):
    west_scheme = make_scheme(pool.west, "west-pool")
    west_tier = make_tier(west_scheme, 1)
    with pytest.raises(ValidationError):
        tier_place(
            actor=pool.coordinator, person=pool.trainee, tier=west_tier, reason="x"
        )


def test_placing_in_the_same_tier_again_is_refused(pool):
    place(pool.trainee, pool.entry)
    with pytest.raises(ValidationError):
        tier_place(
            actor=pool.coordinator, person=pool.trainee, tier=pool.entry, reason="x"
        )


def test_removal_keeps_the_history(pool):
    place(pool.trainee, pool.entry)
    pool_remove(
        actor=pool.coordinator, person=pool.trainee, scheme=pool.scheme, reason="调离"
    )
    assert not PoolMember.objects.exists()
    change = TierChange.objects.get()
    assert (change.from_tier, change.to_tier) == (pool.entry, None)
    with pytest.raises(ValidationError):
        pool_remove(
            actor=pool.coordinator,
            person=pool.trainee,
            scheme=pool.scheme,
            reason="again",
        )


# --- review flags -------------------------------------------------------------------


def _senior_with_certificate(pool, **certificate):
    certificate = certify(pool.trainee, pool.track, **certificate)
    member = place(pool.trainee, pool.senior)
    return member, certificate


def test_an_expired_certificate_flags_the_member_once(pool):
    # given a senior member whose certificate expired yesterday
    member, _certificate = _senior_with_certificate(pool, expires_in_days=-1)
    # when the daily run goes, twice
    assert pool_flag_lapsed(today=TODAY) == 1
    assert pool_flag_lapsed(today=TODAY) == 0
    # then the member is flagged, still in their tier, and the coordinator
    # over them was told once
    member.refresh_from_db()
    assert member.needs_review and member.flagged_at is not None
    assert "团辅带领" in member.review_reason
    assert member.tier == pool.senior
    assert Notice.objects.filter(person=pool.coordinator).count() == 1
    assert not TierChange.objects.exists()


def test_a_valid_certificate_flags_nobody_until_it_expires(pool):
    member, certificate = _senior_with_certificate(pool, expires_in_days=10)
    assert pool_flag_lapsed(today=TODAY) == 0
    assert pool_flag_lapsed(today=certificate.expires_on) == 0  # valid that day
    assert pool_flag_lapsed(today=certificate.expires_on + datetime.timedelta(1)) == 1


def test_revoking_the_certificate_flags_at_once(pool):
    member, certificate = _senior_with_certificate(pool)
    certificate_revoke(
        actor=pool.coordinator, certificate=certificate, reason="违反伦理"
    )
    member.refresh_from_db()
    assert certificate.__class__.objects.get(pk=certificate.pk).status == (
        Certificate.Status.REVOKED
    )
    assert member.needs_review
    assert member.tier == pool.senior


def test_members_of_tiers_without_a_certificate_rule_are_never_flagged(pool):
    place(pool.trainee, pool.entry)
    assert pool_flag_lapsed(today=TODAY) == 0
    assert pool_flag_holder(person=pool.trainee) == 0


def test_keeping_after_review_clears_the_flag_and_is_recorded(pool):
    member, _certificate = _senior_with_certificate(pool, expires_in_days=-1)
    pool_flag_lapsed(today=TODAY)
    member.refresh_from_db()
    kept = review_keep(actor=pool.coordinator, member=member, reason="续证中")
    assert not kept.needs_review
    change = TierChange.objects.get()
    assert change.from_tier == change.to_tier == pool.senior
    # a member not flagged cannot be "kept"
    with pytest.raises(ValidationError):
        review_keep(actor=pool.coordinator, member=kept, reason="again")
    # and a leader cannot keep anyone
    member.review_reason = "x"
    member.save()
    with pytest.raises(PermissionDenied):
        review_keep(actor=pool.leader, member=member, reason="x")


def test_a_flagged_member_demoted_by_the_coordinator_loses_the_flag(pool):
    member, _certificate = _senior_with_certificate(pool, expires_in_days=-1)
    pool_flag_lapsed(today=TODAY)
    moved = tier_place(
        actor=pool.coordinator, person=pool.trainee, tier=pool.entry, reason="证书过期"
    )
    assert moved.tier == pool.entry and not moved.needs_review


def test_coordinators_of_a_sibling_are_not_told_of_a_flag(pool):
    UserFactory(username="east_coord_2", home_unit=pool.east, roles=[Role.COORDINATOR])
    _senior_with_certificate(pool, expires_in_days=-1)
    pool_flag_lapsed(today=TODAY)
    told = set(Notice.objects.values_list("person__username", flat=True))
    assert told == {"coordinator", "east_coord_2"}
