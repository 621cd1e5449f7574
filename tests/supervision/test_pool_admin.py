"""The talent-pool admin: schemes and tiers through the services, the
rules offered only as published tier-rules versions of the coordinator's
tracks, bad input refused with a sentence, the tier history read-only."""

import pytest
from django.urls import reverse

from supervision.models import PoolScheme, Tier, TierChange
from supervision.services.pool import tier_place
from tests.factories.certification import make_track
from tests.factories.pool import make_rules, make_scheme, make_tier


def test_a_coordinator_defines_a_scheme_of_their_unit_only(org, client):
    client.force_login(org.coordinator)
    response = client.post(
        reverse("pool_schemes_admin:add"),
        {"code": "east-pool", "name": "东区人才库", "unit": org.east.pk},
    )
    assert response.status_code == 302
    assert PoolScheme.objects.get(code="east-pool").unit == org.east
    response = client.post(
        reverse("pool_schemes_admin:add"),
        {"code": "west-pool", "name": "西区", "unit": org.west.pk},
    )
    assert response.status_code == 200
    assert not PoolScheme.objects.filter(code="west-pool").exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"code": "", "name": "x", "unit": "EAST"},
        {"code": "bad code!", "name": "x", "unit": "EAST"},
        {"code": "ok", "name": "", "unit": "EAST"},
        {"code": "ok", "name": "x" * 100_000, "unit": "EAST"},
        {
            "code": "ok",
            "name": "<script>alert(1)</script>",
            "unit": "EAST",
            "description": "x" * 100_000,
        },
        {"code": "ok", "name": "x", "unit": "999999"},
    ],
)
def test_bad_scheme_input_is_refused(org, client, data):
    data = {k: str(org.east.pk) if v == "EAST" else v for k, v in data.items()}
    client.force_login(org.coordinator)
    response = client.post(reverse("pool_schemes_admin:add"), data)
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not PoolScheme.objects.exists()


def test_the_tier_form_offers_only_published_tier_rules_of_my_tracks(org, client):
    scheme = make_scheme(org.east, "east-pool")
    mine = make_rules(org.east, code="east-rules")
    west = make_rules(org.west, code="west-rules")
    _certification, certification_version = make_track(org.east, "east-cert")
    draft = make_rules(org.east, code="east-draft")
    draft.published_at = None
    draft.save()
    client.force_login(org.coordinator)
    form = client.get(reverse("pool_tiers_admin:add")).context["form"]
    offered = set(form.fields["rules"].queryset)
    assert offered == {mine}
    assert west not in offered and certification_version not in offered
    response = client.post(
        reverse("pool_tiers_admin:add"),
        {
            "scheme": scheme.pk,
            "code": "senior",
            "name": "资深咨询师",
            "group": "心理人才库",
            "rank": "2",
            "rules": mine.pk,
        },
    )
    assert response.status_code == 302
    assert Tier.objects.get(code="senior").rules == mine
    # someone else's rules, posted anyway, are refused
    response = client.post(
        reverse("pool_tiers_admin:add"),
        {"scheme": scheme.pk, "code": "x", "name": "x", "rank": "1", "rules": west.pk},
    )
    assert response.status_code == 200
    assert not Tier.objects.filter(code="x").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"rank": "0"},
        {"rank": "21"},
        {"rank": "-1"},
        {"rank": "abc"},
        {"rank": "9" * 1000},
        {"name": ""},
        {"name": "x" * 100_000},
        {"group": "<script>alert(1)</script>" * 10},
        {"code": ""},
        {"scheme": "WEST"},
    ],
)
def test_bad_tier_input_is_refused(org, client, data):
    scheme = make_scheme(org.east, "east-pool")
    west = make_scheme(org.west, "west-pool")
    values = {"scheme": scheme.pk, "code": "t", "name": "层级", "rank": "1", **data}
    if values["scheme"] == "WEST":
        values["scheme"] = west.pk
    client.force_login(org.coordinator)
    response = client.post(reverse("pool_tiers_admin:add"), values)
    assert response.status_code == 200
    assert not Tier.objects.exists()


def test_the_tier_history_is_read_only(org, client):
    tier = make_tier(make_scheme(org.east, "east-pool"), 1)
    tier_place(actor=org.coordinator, person=org.trainee, tier=tier, reason="入库")
    change = TierChange.objects.get()
    client.force_login(org.coordinator)
    assert client.get(reverse("pool_history_admin:index")).status_code == 200
    # the row's address shows it, and a POST changes nothing
    page = client.get(reverse("pool_history_admin:edit", args=[change.pk]))
    assert page.status_code == 200 and "入库" in page.content.decode()
    client.post(reverse("pool_history_admin:edit", args=[change.pk]), {"reason": "改"})
    assert TierChange.objects.get().reason == "入库"
    response = client.get(reverse("pool_history_admin:add"))
    assert response.status_code in (302, 403)
