"""The practice log in the Wagtail admin: scoped to the coordinator's
subtree, filtered and exported, and unable to change an approved entry."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from supervision.models import PracticeEntry
from tests.factories.entries import entry_in

Status = PracticeEntry.Status


def admin_url(name, *args):
    return reverse(f"entry_admin:{name}", args=args)


@pytest.fixture
def entries(org):
    return {
        "east_sent": entry_in(org.trainee, Status.SUBMITTED, title="东区热线"),
        "east_ok": entry_in(
            org.trainee,
            Status.APPROVED,
            approver=org.supervisor,
            title='=HYPERLINK("http://x")',
        ),
        "east_draft": entry_in(org.trainee, Status.DRAFT, title="东区草稿"),
        "west": entry_in(org.west_trainee, Status.SUBMITTED, title="西区调解"),
    }


def test_coordinators_list_the_submitted_entries_of_their_subtree(login, org, entries):
    response = login(org.coordinator).get(admin_url("index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "东区热线" in html and "西区调解" not in html and "东区草稿" not in html
    west = login(org.sibling).get(admin_url("index")).content.decode()
    assert "西区调解" in west and "东区热线" not in west


def test_the_index_filters_by_status_and_kind(login, org, entries):
    client = login(org.coordinator)
    html = client.get(admin_url("index"), {"status": "approved"}).content.decode()
    assert "东区热线" not in html
    html = client.get(admin_url("index"), {"kind": "mediation"}).content.decode()
    assert "东区热线" not in html


def test_the_index_exports_csv_with_formulas_defused_and_xlsx(login, org, entries):
    client = login(org.coordinator)
    csv = client.get(admin_url("index"), {"export": "csv"})
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "东区热线" in text and "西区调解" not in text
    assert "'=HYPERLINK" in text
    xlsx = client.get(admin_url("index"), {"export": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    titles = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "东区热线" in titles and "西区调解" not in titles


def test_inspect_is_scoped(login, org, entries):
    assert (
        login(org.coordinator)
        .get(admin_url("inspect", entries["east_sent"].pk))
        .status_code
        == 200
    )
    assert (
        login(org.coordinator).get(admin_url("inspect", entries["west"].pk)).status_code
        == 404
    )
    assert (
        login(org.coordinator)
        .get(admin_url("inspect", entries["east_draft"].pk))
        .status_code
        == 404
    )


def test_the_admin_cannot_change_an_approved_entry(login, org, entries):
    # given an approved entry
    entry = entries["east_ok"]
    client = login(org.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when a coordinator posts a change through the admin edit view
    response = client.post(
        admin_url("edit", entry.pk),
        {
            "kind": "hotline",
            "occurred_on": entry.occurred_on.isoformat(),
            "minutes": "600",
            "title": "改过",
            "reflection": "",
        },
    )
    # then the locked sentence shows and the entry is unchanged
    assert response.status_code == 200
    assert "has been approved and is locked" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.minutes, entry.title, entry.status) == (60, entry.title, "approved")
    assert entry.title.startswith("=HYPERLINK")


def test_the_admin_edit_goes_through_the_service_for_other_entries_too(
    login, org, entries
):
    entry = entries["east_sent"]
    client = login(org.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        admin_url("edit", entry.pk),
        {
            "kind": "hotline",
            "occurred_on": entry.occurred_on.isoformat(),
            "minutes": "5",
            "title": "改过",
            "reflection": "",
        },
    )
    assert response.status_code == 200
    assert "Only the trainee" in response.content.decode()
    entry.refresh_from_db()
    assert entry.minutes == 60
    assert (
        login(org.coordinator).get(admin_url("edit", entries["west"].pk)).status_code
        == 404
    )


def test_people_without_the_admin_get_nothing(login, org, entries):
    for user in (org.trainee, org.supervisor):
        response = login(user).get(admin_url("index"))
        assert response.status_code in (302, 403)
    response = login(org.leader).get(admin_url("index"))
    assert response.status_code in (302, 403)
