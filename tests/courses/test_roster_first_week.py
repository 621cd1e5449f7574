"""Roster import, first-week fixes (issue 16): every role's names and
synonyms in the 角色 column, listed by the template (item 13); the done
page's next steps (item 24)."""

import io
import shutil

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import translation

from courses.models import RosterImport
from courses.roster_files import (
    ROLE_LABELS,
    ROLE_WORDS,
    TEMPLATE_COLUMNS,
    read_roster,
    template_xlsx,
)
from courses.services import roster as svc
from lms.core.models import Role, User
from tests.factories.core import UserFactory
from tests.factories.roster import roster_cohort, roster_csv

HEADER = list(TEMPLATE_COLUMNS)


def csv_of(rows: list[list[str]]) -> bytes:
    return ("".join(",".join(r) + "\r\n" for r in [HEADER, *rows])).encode("utf-8")


def roles_of(text: str):
    row = read_roster(
        csv_of([["王小明", "", "w@example.com", "", "", text]]), filename="r.csv"
    )[0]
    return row.roles, [code for code, _message in row.problems]


# --- item 13: role words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("督导师", (Role.SUPERVISOR,)),
        ("督导", (Role.SUPERVISOR,)),
        ("Supervisor", (Role.SUPERVISOR,)),
        ("心理教官", (Role.SUPERVISOR,)),
        ("学员", (Role.TRAINEE,)),
        ("TRAINEE", (Role.TRAINEE,)),
        ("协调员", (Role.COORDINATOR,)),
        ("管理员", (Role.COORDINATOR,)),
        ("培训管理员", (Role.COORDINATOR,)),
        ("coordinator", (Role.COORDINATOR,)),
        ("领导", (Role.LEADER,)),
        ("ｌｅａｄｅｒ", (Role.LEADER,)),  # full-width letters from an input method
        ("督导师、学员", (Role.SUPERVISOR, Role.TRAINEE)),
        ("督导师,督导", (Role.SUPERVISOR,)),
    ],
)
def test_each_roles_names_and_synonyms_are_accepted(text, roles):
    assert roles_of(text) == (roles, [])


def test_every_role_is_accepted_by_the_names_the_product_shows():
    # the label in every language the product speaks must be a word the
    # roster accepts, so a renamed role cannot be refused again
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for role in Role:
                assert ROLE_LABELS.get(str(role.label).casefold()) == role, (
                    language,
                    role.label,
                )
    assert set(ROLE_WORDS) == set(Role)
    words = [w.casefold() for ws in ROLE_WORDS.values() for w in ws]
    assert len(words) == len(set(words)), "a word may mean one role only"
    assert not any(sep in w for w in words for sep in " 、,，;；/")


@pytest.mark.parametrize(
    "text", ["老板", "<script>alert(1)</script>", "x" * 100_000, "=cmd|' /C calc'!A0"]
)
def test_an_unknown_role_names_the_accepted_words(text):
    with translation.override("en"):
        row = read_roster(csv_of([["王小明", "", "", "", "", text]]), filename="r.csv")
    row = row[0]
    assert [code for code, _m in row.problems][:1] in (["unknown_role"], ["formula"])
    message = " ".join(m for _c, m in row.problems)
    if "unknown_role" in [c for c, _m in row.problems]:
        assert "督导师（督导" in message and "协调员" in message
        assert len(message) < 400


def test_the_template_lists_every_roles_words():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    notes = "\n".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row)
    for words in ROLE_WORDS.values():
        for word in words:
            assert word in notes
    # and the untouched template still reads back as one valid trainee
    rows = read_roster(template_xlsx(), filename="t.xlsx")
    assert rows[0].ok and rows[0].roles == (Role.TRAINEE,)


def test_the_upload_page_lists_the_role_words(org, client):
    client.force_login(org.coordinator)
    page = client.get(reverse("roster:upload")).content.decode()
    assert 'data-testid="role-words"' in page
    assert "督导师" in page and "协调员" in page


# --- item 24: the done page's next steps -----------------------------------------------


@pytest.fixture
def _clean_storage():
    yield
    shutil.rmtree(storages["private"].path(svc.STORAGE_FOLDER), ignore_errors=True)


def import_through_pages(client, org, rows, *, cohort=None) -> RosterImport:
    fields = {"unit": org.east.pk, "file": ContentFile(roster_csv(rows), name="r.csv")}
    if cohort is not None:
        fields["cohort"] = cohort.pk
    client.post(reverse("roster:upload"), fields)
    item = RosterImport.objects.latest("pk")
    client.post(reverse("roster:start", kwargs={"pk": item.pk}))
    item.refresh_from_db()
    assert item.status == RosterImport.Status.DONE, item.report
    return item


def test_the_done_page_links_the_cohorts_grid_and_the_new_people(
    org, client, _clean_storage
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(org.coordinator)
    cohort = roster_cohort(org.east)
    existing = UserFactory(
        username="old", email="old@example.com", home_unit=org.east_room
    )
    item = import_through_pages(
        client,
        org,
        [
            ["王小明", "east-room", "wxm@example.com", "", "", "督导师"],
            ["老同事", "east-room", existing.email, "", "", ""],
        ],
        cohort=cohort,
    )
    page = client.get(reverse("roster:progress", kwargs={"pk": item.pk}))
    body = page.content.decode()
    assert 'data-testid="import-done"' in body
    assert reverse("cohort_grid:show", args=[cohort.pk]) in body
    wang = User.objects.get(email="wxm@example.com")
    assert wang.roles == {Role.SUPERVISOR}
    assert reverse("core:person_detail", args=[wang.pk]) in body
    # only the people it created, not the one who joined the cohort
    assert reverse("core:person_detail", args=[existing.pk]) not in body
    # and the grid it links opens for the coordinator
    assert client.get(reverse("cohort_grid:show", args=[cohort.pk])).status_code == 200


def test_the_done_page_without_a_cohort_links_the_new_people_only(
    org, client, _clean_storage
):
    client.force_login(org.coordinator)
    item = import_through_pages(
        client, org, [["王小明", "", "wxm@example.com", "", "", "学员"]]
    )
    body = client.get(reverse("roster:progress", kwargs={"pk": item.pk})).content
    body = body.decode()
    assert 'data-testid="new-people"' in body
    assert 'data-testid="cohort-grid-link"' not in body


def test_a_forged_report_shows_only_people_in_scope(org, client, _clean_storage):
    client.force_login(org.coordinator)
    item = import_through_pages(
        client, org, [["王小明", "", "wxm@example.com", "", "", "学员"]]
    )
    item.report["result"]["people"] += [org.west_trainee.pk, "<script>", None]
    item.save(update_fields=["report"])
    body = client.get(reverse("roster:progress", kwargs={"pk": item.pk})).content
    body = body.decode()
    assert reverse("core:person_detail", args=[org.west_trainee.pk]) not in body
    assert "<script>" not in body
