"""The rubric, rubric-item and qualification-kind catalogues in the admin:
one catalogue for every coordinator (the east and the west one edit the
same rows), added and changed by coordinators, deleted only by
superusers; a blank or hostile name is refused."""

import pytest
from django.urls import reverse

from supervision.models import QualificationKind, Rubric
from tests.factories.ratings import make_qualification_kind, make_rubric

CATALOGUES = ["rubrics_admin", "rubric_items_admin", "qualification_kinds_admin"]


def row_for(name):
    if name == "rubrics_admin":
        return make_rubric("共享表")
    if name == "rubric_items_admin":
        return make_rubric("共享条目表", items=1).items.get()
    return make_qualification_kind()


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_coordinator_edits_the_one_catalogue(org, client, name):
    row = row_for(name)
    for coordinator in (org.coordinator, org.sibling):
        client.force_login(coordinator)
        listing = client.get(reverse(f"{name}:index"))
        assert row.pk in {each.pk for each in listing.context["object_list"]}
        assert client.get(reverse(f"{name}:edit", args=[row.pk])).status_code == 200


@pytest.mark.parametrize("name", CATALOGUES)
def test_a_coordinator_does_not_delete(org, client, name):
    row = row_for(name)
    client.force_login(org.coordinator)
    response = client.post(reverse(f"{name}:delete", args=[row.pk]))
    assert response.status_code in (302, 403)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_coordinator_adds_a_rubric_and_a_blank_name_is_refused(org, client):
    client.force_login(org.coordinator)
    url = reverse("rubrics_admin:add")
    blank = client.post(url, {"name": "   ", "description": "", "is_active": "on"})
    assert blank.status_code == 200
    assert not Rubric.objects.exists()
    hostile = "<script>alert(1)</script>"
    client.post(url, {"name": hostile, "description": "", "is_active": "on"})
    assert Rubric.objects.get().name == hostile
    listing = client.get(reverse("rubrics_admin:index")).content.decode()
    assert hostile not in listing


@pytest.mark.parametrize("months", ["0", "601", "-1", "abc"])
def test_a_qualification_kind_with_a_wrong_validity_is_refused(org, client, months):
    client.force_login(org.coordinator)
    url = reverse("qualification_kinds_admin:add")
    data = {"code": "c3", "name": "三级", "validity_months": months}
    assert client.post(url, data).status_code == 200
    assert not QualificationKind.objects.exists()
