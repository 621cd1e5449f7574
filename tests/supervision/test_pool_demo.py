"""The demo pool: both seed patterns in their proportions, one member
flagged for review, the demo trainee short of the next tier; loads once."""

from collections import Counter

import pytest

from lms.core.demo import load_demo_data
from lms.core.models import User
from supervision.demo import load_demo_certification, load_demo_practice
from supervision.demo_pool import build_pool
from supervision.models import PoolMember, TierChange, Track
from supervision.selectors.pool import scheme_for, standing
from supervision.services.pool import pool_flag_lapsed


@pytest.fixture
def demo(db):
    load_demo_data()
    load_demo_practice()
    load_demo_certification()
    return build_pool()


def test_both_patterns_load_once_in_the_seeds_proportions(demo):
    assert demo == {"schemes": 2, "members": 102, "flagged": 1}
    assert build_pool() == {"schemes": 0, "members": 0, "flagged": 0}
    counts = Counter(
        PoolMember.objects.values_list("scheme__code", "tier__name").iterator()
    )
    assert counts == {
        ("ningbo-pool", "外聘心理专家"): 3,
        ("ningbo-pool", "心理教官"): 3,
        ("ningbo-pool", "资深咨询师"): 9,
        ("ningbo-pool", "兼职心理辅导员"): 40,
        ("yuanqu-pool", "专业队伍"): 7,
        ("yuanqu-pool", "志愿者队伍"): 20,
        ("yuanqu-pool", "网格员队伍"): 20,
    }
    assert TierChange.objects.count() == 102
    # tier rules are tier-purpose tracks; the experts' tier has none
    assert Track.objects.filter(purpose=Track.Purpose.TIER).count() == 6


def test_one_member_is_flagged_and_the_night_run_adds_nobody(demo):
    flagged = PoolMember.objects.exclude(review_reason="").get()
    assert flagged.tier.name == "资深咨询师"
    assert pool_flag_lapsed() == 0


def test_the_trainee_is_one_tier_short_with_visible_gaps(demo):
    trainee = User.objects.get(username="trainee")
    assert scheme_for(trainee).code == "ningbo-pool"
    place = standing(trainee)
    assert place.tier.name == "兼职心理辅导员"
    names = {item.tier.name for item in place.next_tiers}
    assert names == {"心理教官", "资深咨询师"}
    assert all(not item.ready and item.total for item in place.next_tiers)
    # the west's people are in the nearer Yuanqu scheme
    assert scheme_for(User.objects.get(username="wr_feng")).code == "yuanqu-pool"
