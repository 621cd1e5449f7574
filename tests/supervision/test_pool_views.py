"""The pool pages: my tier, the dossier with the decision, the review
queue; scope (outsiders 404), leaders read-only, no self-promotion, bad
input on the decision form, and the review queue's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.core.models import HoursCategory, Role
from supervision.models import PoolMember, SupervisionKind, TierChange
from tests.factories.core import UserFactory
from tests.factories.pool import (
    certificate_rules,
    certify,
    credit_hours,
    make_certification_track,
    make_scheme,
    make_tier,
    place,
)
from tests.factories.supervision import make_case, make_entry
from tests.factories.supervisions import make_session as make_supervision


@pytest.fixture
def pool(org):
    org.track = make_certification_track(org.city, "group-lead", name="团辅带领")
    org.scheme = make_scheme(org.city, "city-pool", "市人才库")
    org.entry = make_tier(org.scheme, 1, code="part-time", name="兼职心理辅导员")
    org.senior = make_tier(
        org.scheme,
        2,
        code="senior",
        name="资深咨询师",
        rules=certificate_rules(org.city, org.track),
    )
    return org


def _dossier(person):
    return reverse("supervision:pool_dossier", args=[person.pk])


def _decide(person):
    return reverse("supervision:pool_decide", args=[person.pk])


def test_my_tier_shows_the_gap_and_the_next_step(pool, client):
    place(pool.trainee, pool.entry)
    client.force_login(pool.trainee)
    page = client.get(reverse("supervision:pool_mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "兼职心理辅导员" in html and "资深咨询师" in html
    assert 'data-testid="missing"' in html and 'data-testid="next-step"' in html
    assert reverse("supervision:certification_home") in html


def test_my_tier_without_a_scheme_says_so(org, client):
    client.force_login(org.west_trainee)
    page = client.get(reverse("supervision:pool_mine"))
    assert 'data-testid="no-scheme"' in page.content.decode()


@pytest.mark.parametrize(
    "who, status", [("coordinator", 200), ("leader", 200), ("city_leader", 200)]
)
def test_managers_over_the_person_read_the_dossier(pool, client, who, status):
    client.force_login(getattr(pool, who))
    assert client.get(_dossier(pool.trainee)).status_code == status


@pytest.mark.parametrize("who", ["sibling", "trainee", "supervisor", "west_trainee"])
def test_outsiders_do_not_find_the_dossier(pool, client, who):
    client.force_login(getattr(pool, who))
    assert client.get(_dossier(pool.trainee)).status_code == 404
    response = client.post(
        _decide(pool.trainee),
        {"action": "place", "tier": pool.entry.pk, "reason": "x"},
    )
    assert response.status_code == 404
    assert not PoolMember.objects.exists()


def test_a_leader_reads_but_does_not_decide(pool, client):
    client.force_login(pool.leader)
    page = client.get(_dossier(pool.trainee)).content.decode()
    assert 'data-testid="decide"' not in page
    response = client.post(
        _decide(pool.trainee), {"action": "place", "tier": pool.entry.pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert not PoolMember.objects.exists()


def test_a_coordinator_cannot_promote_themselves(pool, client):
    client.force_login(pool.coordinator)
    # their own dossier is readable (they are of their own unit) …
    page = client.get(_dossier(pool.coordinator))
    assert page.status_code == 200
    assert 'data-testid="decide"' not in page.content.decode()
    # … but the decision is refused
    response = client.post(
        _decide(pool.coordinator),
        {"action": "place", "tier": pool.entry.pk, "reason": "我自己"},
    )
    assert response.status_code == 403
    assert not PoolMember.objects.exists()


def test_the_coordinator_places_from_the_dossier(pool, client):
    client.force_login(pool.coordinator)
    response = client.post(
        _decide(pool.trainee),
        {"action": "place", "tier": pool.entry.pk, "reason": "表现突出"},
    )
    assert response.status_code == 302
    assert PoolMember.objects.get(person=pool.trainee).tier == pool.entry
    page = client.get(_dossier(pool.trainee)).content.decode()
    assert "表现突出" in page


def test_a_refused_promotion_shows_the_gap_and_writes_nothing(pool, client):
    place(pool.trainee, pool.entry)
    client.force_login(pool.coordinator)
    response = client.post(
        _decide(pool.trainee),
        {"action": "place", "tier": pool.senior.pk, "reason": "提拔"},
    )
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()
    assert "团辅带领" in response.content.decode()
    assert PoolMember.objects.get(person=pool.trainee).tier == pool.entry
    assert not TierChange.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "place"},
        {"action": "place", "tier": "", "reason": "x"},
        {"action": "place", "tier": "999999", "reason": "x"},
        {"action": "place", "tier": "<script>alert(1)</script>", "reason": "x"},
        {"action": "demote-everyone", "tier": "TIER", "reason": "x"},
        {"action": "place", "tier": "TIER", "reason": ""},
        {"action": "place", "tier": "TIER", "reason": "   "},
        {"action": "place", "tier": "TIER", "reason": "x" * 100_000},
        {"action": "place", "tier": "TIER", "reason": "坏\x00字"},
        {"action": "keep", "reason": "x"},
        {"action": "remove", "member": "999999", "reason": "x"},
        {"action": "place", "tier": "WEST", "reason": "x"},
    ],
)
def test_bad_decisions_are_refused_with_a_sentence(pool, client, data):
    west_tier = make_tier(make_scheme(pool.west, "west-pool"), 1)
    swap = {"TIER": str(pool.entry.pk), "WEST": str(west_tier.pk)}
    data = {k: swap.get(v, v) for k, v in data.items()}
    client.force_login(pool.coordinator)
    response = client.post(_decide(pool.trainee), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert "<script>alert(1)</script>" not in html
    assert not PoolMember.objects.exists()
    assert not TierChange.objects.exists()


def test_a_hostile_reason_is_kept_as_text(pool, client):
    client.force_login(pool.coordinator)
    hostile = "<script>alert('x')</script>=HYPERLINK(\"http://x\")"
    client.post(
        _decide(pool.trainee),
        {"action": "place", "tier": pool.entry.pk, "reason": hostile},
    )
    assert TierChange.objects.get().reason == hostile
    page = client.get(_dossier(pool.trainee)).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page


def test_keep_and_remove_from_the_dossier(pool, client):
    member = place(pool.trainee, pool.senior, review_reason="证书过期")
    client.force_login(pool.coordinator)
    response = client.post(
        _decide(pool.trainee),
        {"action": "keep", "member": member.pk, "reason": "续证中"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.needs_review
    response = client.post(
        _decide(pool.trainee),
        {"action": "remove", "member": member.pk, "reason": "调离"},
    )
    assert response.status_code == 302
    assert not PoolMember.objects.exists()


def test_the_dossier_shows_facts_never_case_content_or_growth_notes(pool, client):
    # given practice with a reflection, a case and a growth supervision
    make_entry(
        pool.trainee,
        status="approved",
        approved_by=pool.supervisor,
        reflection="个案反思-机密",
        title="标题-机密",
    )
    case = make_case(pool.trainee)
    make_supervision(pool.supervisor, [pool.trainee], kind=SupervisionKind.GROWTH)
    credit_hours(pool.trainee, HoursCategory.PRACTICE, 3)
    client.force_login(pool.coordinator)
    html = client.get(_dossier(pool.trainee)).content.decode()
    # then counts and hours are shown, never the texts
    assert 'data-testid="practice"' in html and 'data-testid="hours"' in html
    assert "个案反思-机密" not in html and "标题-机密" not in html
    assert case.client_code not in html


def test_the_review_queue_lists_flagged_and_ready_people(pool, client):
    flagged = UserFactory(home_unit=pool.east_room, roles=[Role.TRAINEE])
    place(flagged, pool.senior, review_reason="证书已过期")
    ready = UserFactory(home_unit=pool.east_room, roles=[Role.TRAINEE])
    place(ready, pool.entry)
    certify(ready, pool.track)
    west = UserFactory(home_unit=pool.west_room, roles=[Role.TRAINEE])
    place(west, pool.senior, review_reason="西区")
    client.force_login(pool.coordinator)
    html = client.get(reverse("supervision:pool_review")).content.decode()
    assert str(flagged) in html and str(ready) in html
    assert str(west) not in html
    client.force_login(pool.leader)
    assert client.get(reverse("supervision:pool_review")).status_code == 403


def test_the_review_queue_costs_the_same_queries_as_people_grow(pool, client):
    client.force_login(pool.coordinator)

    def add_people(n):
        for index in range(n):
            person = UserFactory(home_unit=pool.east_room, roles=[Role.TRAINEE])
            place(person, pool.entry if index % 2 else pool.senior)
            if index % 3 == 0:
                certify(person, pool.track, expires_in_days=-1 if index % 2 else 30)
            if index % 4 == 0:
                PoolMember.objects.filter(person=person).update(review_reason="x")

    add_people(3)
    client.get(reverse("supervision:pool_review"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("supervision:pool_review")).status_code == 200
    add_people(25)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("supervision:pool_review")).status_code == 200
    assert len(large) == len(small)
