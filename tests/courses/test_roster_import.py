"""Roster import against the database: preview, all-or-nothing import,
the command, the coordinators' pages, and a large file through a real
Celery worker."""

import json
import shutil
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from courses.models import CohortMember, RosterImport
from courses.services import roster as svc
from lms.celery import app as celery_app
from lms.core.models import AuditAction, AuditEvent, Role, User
from tests.conftest import wait_for
from tests.factories.core import UserFactory
from tests.factories.roster import many_rows, roster_cohort, roster_csv, roster_xlsx

GOOD = [
    ["王小明", "east-room", "wxm@example.com", "13800138000", "J0001", "学员"],
    ["李丽", "", "lili@example.com", "139 0013 9000", "", "督导、学员"],
]


@pytest.fixture(autouse=True)
def _english_and_clean_storage(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
    shutil.rmtree(storages["private"].path(svc.STORAGE_FOLDER), ignore_errors=True)


@pytest.fixture
def eager_celery():
    """Run Celery tasks in this process, so the invitation task really
    sends its email into ``mailoutbox``."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def preview(org, data: bytes, *, actor=None, unit=None, cohort=None, name="名单.csv"):
    return svc.roster_preview(
        actor=actor or org.coordinator,
        upload=ContentFile(data, name=name),
        filename=name,
        unit=unit or org.east,
        cohort=cohort,
    )


def row(item: RosterImport, line: int) -> dict:
    return next(r for r in item.report["rows"] if r["line"] == line)


def problem_codes(item: RosterImport, line: int) -> list[str]:
    return [p["code"] for p in row(item, line)["problems"]]


def stored_files() -> list[str]:
    root = Path(storages["private"].path(svc.STORAGE_FOLDER))
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- preview -----------------------------------------------------------------------


def test_preview_writes_only_the_import_row_and_the_file(org):
    # given
    people, audit = User.objects.count(), AuditEvent.objects.count()
    cohort = roster_cohort(org.east)
    # when
    item = preview(org, roster_csv(GOOD), cohort=cohort)
    # then
    assert (User.objects.count(), AuditEvent.objects.count()) == (people, audit)
    assert not CohortMember.objects.exists()
    assert RosterImport.objects.get() == item
    assert item.status == RosterImport.Status.PREVIEWED
    assert (item.total_rows, item.error_rows, item.processed_rows) == (2, 0, 0)
    assert item.report["counts"] == {
        "rows": 2,
        "new": 2,
        "existing": 0,
        "error": 0,
        "warning": 0,
    }
    assert [r["username"] for r in item.report["rows"]] == ["wxm", "lili"]
    assert row(item, 2)["unit"] == org.east_room.name
    assert row(item, 3)["unit"] == org.east.name  # the import's unit by default
    assert item.file.read() == roster_csv(GOOD)
    assert item.file.name.endswith("名单.csv")


def test_a_file_that_is_no_roster_is_refused_and_nothing_is_stored(org):
    with pytest.raises(ValidationError) as refused:
        preview(org, b"\x89PNG\r\n\x1a\n\x00\x00\x00", name="photo.csv")
    assert "not a spreadsheet" in refused.value.messages[0]
    assert not RosterImport.objects.exists()
    assert stored_files() == []


def test_unknown_unit_code_is_reported(org):
    item = preview(org, roster_csv([["张三", "nowhere", "zs@example.com"]]))
    assert problem_codes(item, 2) == ["unknown_unit"]
    assert "nowhere" in row(item, 2)["problems"][0]["message"]
    assert item.error_rows == 1


def test_a_sibling_units_code_reads_exactly_like_an_unknown_one(org):
    # given a coordinator of east naming the west station and a made-up code
    item = preview(
        org,
        roster_csv(
            [
                ["甲", "west", "a@example.com"],
                ["乙", "nowhere", "b@example.com"],
                ["丙", "west-room", "c@example.com"],
            ]
        ),
    )
    # then all three say the same, and nothing names the sibling
    messages = [row(item, n)["problems"][0]["message"] for n in (2, 3, 4)]
    assert messages[0].replace("west", "X") == messages[1].replace("nowhere", "X")
    assert all(problem_codes(item, n) == ["unknown_unit"] for n in (2, 3, 4))
    assert "西区" not in json.dumps(item.report, ensure_ascii=False)


def test_units_may_be_given_by_code_in_any_case_or_by_name(org):
    item = preview(
        org,
        roster_csv(
            [["甲", "EAST-ROOM", "a@example.com"], ["乙", "东区一室", "b@example.com"]]
        ),
    )
    assert item.error_rows == 0
    assert {r["unit"] for r in item.report["rows"]} == {org.east_room.name}


def test_a_person_registered_in_another_unit_is_refused_not_moved(org):
    # given the west trainee (out of scope) and the east-room trainee,
    # both named in a file for the east station itself
    org.west_trainee.staff_number = "W-77"
    org.west_trainee.save()
    item = preview(
        org,
        roster_csv(
            [
                ["某学员", "", "someone@example.com", "", "W-77"],
                ["东区学员", "", "TRAINEE@example.com"],
            ]
        ),
    )
    # then both rows are refused and neither person changes unit
    assert problem_codes(item, 2) == ["other_unit"]
    assert problem_codes(item, 3) == ["other_unit"]
    assert "西区" not in json.dumps(item.report, ensure_ascii=False)
    org.west_trainee.refresh_from_db()
    assert org.west_trainee.home_unit == org.west_room


def test_email_of_one_person_and_staff_number_of_another_is_a_conflict(org):
    org.supervisor.staff_number = "S-1"
    org.supervisor.save()
    item = preview(
        org, roster_csv([["某人", "", "coordinator@example.com", "", "S-1"]])
    )
    assert problem_codes(item, 2) == ["conflict"]


def test_two_rows_meaning_the_same_registered_person_are_a_duplicate(org):
    org.trainee.staff_number = "T-1"
    org.trainee.save()
    item = preview(
        org,
        roster_csv(
            [
                ["甲", "east-room", "trainee@example.com"],
                ["甲", "east-room", "", "", "T-1"],
            ]
        ),
    )
    assert problem_codes(item, 2) == []
    assert problem_codes(item, 3) == ["duplicate"]
    assert "row 2" in row(item, 3)["problems"][0]["message"].lower()


def test_usernames_are_unique_in_the_file_and_the_database(org):
    UserFactory(username="li", home_unit=org.west)
    item = preview(
        org,
        roster_csv(
            [
                ["李一", "", "li@a.example.com"],
                ["李二", "", "Li@b.example.com"],
                ["无邮箱", "", "", "", "P-0042"],
                ["汉字警号", "", "", "", "（甲）"],
            ]
        ),
    )
    usernames = [r["username"] for r in item.report["rows"]]
    assert usernames[:3] == ["li2", "li3", "p-0042"], item.report["rows"]
    assert usernames[3].startswith("u") and len(usernames[3]) == 11
    assert row(item, 4)["warnings"][0]["code"] == "no_email"
    assert not row(item, 5)["problems"]


def test_preview_checks_the_actors_scope(org):
    data = roster_csv(GOOD)
    with pytest.raises(PermissionDenied):
        preview(org, data, actor=org.sibling)  # into east
    with pytest.raises(PermissionDenied):
        preview(org, data, actor=org.trainee, unit=org.east_room)
    with pytest.raises(PermissionDenied):
        preview(org, data, cohort=roster_cohort(org.west))
    assert not RosterImport.objects.exists()


# --- import --------------------------------------------------------------------------


def test_preview_then_import_creates_accounts_and_sends_invitations(
    org, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    # given a previewed file with a cohort
    cohort = roster_cohort(org.east)
    item = preview(org, roster_csv(GOOD), cohort=cohort)
    # when the uploader imports it (small: in this request)
    with django_capture_on_commit_callbacks(execute=True):
        item = svc.roster_import_start(actor=org.coordinator, roster_import=item)
    # then
    assert item.status == RosterImport.Status.DONE
    assert item.processed_rows == item.total_rows == 2
    assert item.finished_at is not None
    wang = User.objects.get(email="wxm@example.com")
    li = User.objects.get(email="lili@example.com")
    assert item.report["result"] == {
        "created": 2,
        "added_to_cohort": 2,
        "people": [wang.pk, li.pk],
    }
    assert (wang.username, wang.full_name, wang.home_unit) == (
        "wxm",
        "王小明",
        org.east_room,
    )
    assert (wang.phone, wang.staff_number) == ("13800138000", "J0001")
    assert wang.roles == {Role.TRAINEE}
    assert li.roles == {Role.SUPERVISOR, Role.TRAINEE}
    assert li.home_unit == org.east and li.phone == "13900139000"
    assert not wang.has_usable_password()
    assert set(cohort.members.all()) == {wang, li}
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.PERSON_CREATE, actor=org.coordinator
        ).count()
        == 2
    )
    invitations = [m for m in mailoutbox if "/accounts/password/reset/key/" in m.body]
    assert sorted(m.to[0] for m in invitations) == [
        "lili@example.com",
        "wxm@example.com",
    ]
    # a supervisor among them: the leaders over the unit are told, once each
    others = sorted(m.to[0] for m in mailoutbox if m not in invitations)
    assert others == sorted([org.leader.email, org.city_leader.email])


def test_an_existing_person_of_the_unit_joins_the_cohort_unchanged(org):
    # given the east-room trainee in a file with another name and phone
    org.trainee.phone = "13700137000"
    org.trainee.save()
    before = User.objects.get(pk=org.trainee.pk)
    cohort = roster_cohort(org.east)
    data = roster_csv(
        [["改了名", "east-room", "Trainee@Example.com", "13600136000", "", "领导"]]
    )
    item = preview(org, data, cohort=cohort)
    assert row(item, 2)["action"] == "existing"
    warnings = {w["code"] for w in row(item, 2)["warnings"]}
    assert warnings == {"differs_name", "differs_phone"}
    # when it is imported
    item = svc.roster_import_start(actor=org.coordinator, roster_import=item)
    # then the trainee is a member, and nothing about them changed
    assert item.status == RosterImport.Status.DONE
    assert item.report["result"] == {"created": 0, "added_to_cohort": 1, "people": []}
    after = User.objects.get(pk=org.trainee.pk)
    assert (after.full_name, after.phone, after.roles) == (
        before.full_name,
        "13700137000",
        {Role.TRAINEE},
    )
    assert list(cohort.members.all()) == [after]


def test_nothing_is_written_when_a_row_went_bad_after_the_preview(org):
    # given a clean preview
    item = preview(org, roster_csv(GOOD))
    assert item.error_rows == 0
    # and meanwhile someone registers row 3's email in the west station
    UserFactory(username="early", email="lili@example.com", home_unit=org.west)
    people = User.objects.count()
    # when the file is imported
    item = svc.roster_import_start(actor=org.coordinator, roster_import=item)
    # then the whole file is refused: not even row 2 was created
    assert item.status == RosterImport.Status.FAILED
    assert User.objects.count() == people
    assert not User.objects.filter(email="wxm@example.com").exists()
    assert problem_codes(item, 3) == ["other_unit"]
    assert item.error_rows == 1
    assert "Nothing was imported" in item.report["message"]
    # and a failed import stays failed
    with pytest.raises(ValidationError):
        svc.roster_import_start(actor=org.coordinator, roster_import=item)


def test_a_deleted_cohort_fails_the_import(org):
    cohort = roster_cohort(org.east)
    item = preview(org, roster_csv(GOOD), cohort=cohort)
    cohort.delete()
    item = svc.roster_import_start(actor=org.coordinator, roster_import=item)
    assert item.status == RosterImport.Status.FAILED
    assert not User.objects.filter(email="wxm@example.com").exists()


def test_a_file_with_refused_rows_cannot_be_started(org):
    item = preview(org, roster_csv([["", "", "x@example.com"]]))
    with pytest.raises(ValidationError):
        svc.roster_import_start(actor=org.coordinator, roster_import=item)
    assert RosterImport.objects.get().status == RosterImport.Status.PREVIEWED


def test_only_the_uploader_starts_an_import(org):
    city = UserFactory(home_unit=org.city, roles=[Role.COORDINATOR])
    item = preview(org, roster_csv(GOOD))
    with pytest.raises(PermissionDenied):
        svc.roster_import_start(actor=city, roster_import=item)
    with pytest.raises(PermissionDenied):
        svc.roster_import_start(actor=org.sibling, roster_import=item)
    assert RosterImport.objects.get().status == RosterImport.Status.PREVIEWED


def test_running_a_finished_import_again_changes_nothing(org):
    item = svc.roster_import_start(
        actor=org.coordinator, roster_import=preview(org, roster_csv(GOOD))
    )
    people = User.objects.count()
    again = svc.roster_import_run(roster_import_id=item.pk)
    assert (
        again.status == RosterImport.Status.DONE
        and again.finished_at == item.finished_at
    )
    assert (
        svc.roster_import_start(actor=org.coordinator, roster_import=item).pk == item.pk
    )
    assert User.objects.count() == people


def test_a_large_file_is_queued_for_a_worker(org, django_capture_on_commit_callbacks):
    item = preview(org, roster_xlsx(many_rows(svc.MAX_IN_PROCESS_ROWS + 1)))
    people = User.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = svc.roster_import_start(actor=org.coordinator, roster_import=item)
    assert item.status == RosterImport.Status.QUEUED
    assert len(callbacks) == 1  # the task, sent after the commit
    assert User.objects.count() == people


def test_a_missing_file_fails_the_import_with_a_sentence(org):
    item = preview(org, roster_csv(GOOD))
    item.file.storage.delete(item.file.name)
    item = svc.roster_import_start(actor=org.coordinator, roster_import=item)
    assert item.status == RosterImport.Status.FAILED
    assert "no longer available" in item.report["message"]


# --- the command ----------------------------------------------------------------------


def command(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("roster_import", *map(str, args), stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.fixture
def admin_user(org):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_command_dry_run_reports_and_writes_nothing(org, admin_user, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD))
    people = User.objects.count()
    out, error = command(path, "--unit", "east", "--dry-run")
    assert error is None
    assert "2 rows: 2 new" in out and "nothing was written" in out
    assert User.objects.count() == people
    assert not RosterImport.objects.exists()


def test_command_with_a_bad_row_exits_non_zero_and_writes_nothing(
    org, admin_user, tmp_path
):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(
        roster_xlsx(
            [
                GOOD[0],
                ['=HYPERLINK("http://x")', "", "h@example.com"],
                ["坏", "", "bad"],
            ]
        )
    )
    people = User.objects.count()
    for extra in ([], ["--dry-run"]):
        out, error = command(path, "--unit", "east", *extra)
        assert error is not None and "2 rows were refused" in str(error)
        lines = out.strip().splitlines()
        assert lines[0].startswith("Row 3: ") and "formula" in lines[0]
        assert lines[1].startswith("Row 4: ") and "email" in lines[1]
        assert lines[2].startswith("3 rows: 1 new")
    assert User.objects.count() == people
    assert not RosterImport.objects.exists()
    assert not User.objects.filter(full_name__startswith="=").exists()


def test_command_refuses_a_file_that_is_no_roster(org, admin_user, tmp_path):
    path = tmp_path / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    _out, error = command(path, "--unit", "east")
    assert error is not None and ".xlsx" in str(error)
    _out, error = command(tmp_path / "missing.csv", "--unit", "east")
    assert error is not None
    _out, error = command(path, "--unit", "nowhere")
    assert error is not None


def test_command_imports_as_the_first_superuser(org, admin_user, tmp_path):
    cohort = roster_cohort(org.east)
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD, encoding="gbk"))
    out, error = command(path, "--unit", "east", "--cohort", cohort.pk)
    assert error is None, out
    assert "2 people created, 2 added" in out
    assert cohort.members.count() == 2
    assert RosterImport.objects.get().created_by == admin_user
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.PERSON_CREATE, actor=admin_user
        ).count()
        == 2
    )


def test_command_as_a_coordinator_is_held_to_their_scope(org, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD))
    _out, error = command(path, "--unit", "east", "--as", "sibling")
    assert error is not None
    out, error = command(path, "--unit", "east", "--as", "coordinator")
    assert error is None, out
    assert User.objects.filter(
        email="wxm@example.com", home_unit=org.east_room
    ).exists()


def test_command_without_a_superuser_needs_as(org, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD))
    _out, error = command(path, "--unit", "east")
    assert error is not None and "--as" in str(error)
    assert not User.objects.filter(email="wxm@example.com").exists()


# --- pages ----------------------------------------------------------------------------


def upload_post(client, org, data: bytes, *, name="roster.csv", **fields):
    return client.post(
        reverse("roster:upload"),
        {"unit": org.east.pk, "file": ContentFile(data, name=name), **fields},
    )


def test_upload_preview_import_and_status_pages(org, login):
    client = login(org.coordinator)
    cohort = roster_cohort(org.east_room)
    # the form offers the coordinator's units and cohorts only
    page = client.get(reverse("roster:upload")).content.decode()
    assert "east-room" in page and "west" not in page and cohort.name in page
    # upload → preview
    response = upload_post(client, org, roster_csv(GOOD), cohort=cohort.pk)
    item = RosterImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("roster:preview", kwargs={"pk": item.pk})
    page = client.get(response.url).content.decode()
    assert "王小明" in page and 'data-testid="start-import"' in page
    # import → progress (a small file is done at once)
    response = client.post(reverse("roster:start", kwargs={"pk": item.pk}))
    assert response.url == reverse("roster:progress", kwargs={"pk": item.pk})
    page = client.get(response.url).content.decode()
    assert 'data-testid="import-done"' in page
    state = client.get(reverse("roster:status", kwargs={"pk": item.pk})).json()
    assert state == {
        "status": "done",
        "label": "Imported",
        "processed": 2,
        "total": 2,
        "finished": True,
        "message": "",
    }
    assert cohort.members.count() == 2


def test_preview_page_highlights_errors_and_offers_no_import(org, login):
    client = login(org.coordinator)
    upload_post(
        client,
        org,
        roster_csv([GOOD[0], ["<script>alert(1)</script>", "", "bad-email"]]),
    )
    item = RosterImport.objects.get()
    page = client.get(
        reverse("roster:preview", kwargs={"pk": item.pk})
    ).content.decode()
    assert 'class="is-error" data-line="3"' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'data-testid="start-import"' not in page
    assert 'data-testid="has-errors"' in page
    response = client.post(reverse("roster:start", kwargs={"pk": item.pk}), follow=True)
    assert "Some rows have problems" in response.content.decode()
    assert RosterImport.objects.get().status == RosterImport.Status.PREVIEWED
    # hostile paging falls back to a real page
    for query in ("?page=abc", "?page=-1", "?page=99999", "?show=<x>"):
        assert (
            client.get(
                reverse("roster:preview", kwargs={"pk": item.pk}) + query
            ).status_code
            == 200
        )


@pytest.mark.parametrize(
    "fields, data, name, expected",
    [
        ({}, None, "", "This field is required."),
        ({}, b"", "empty.csv", "The submitted file is empty."),
        ({}, b"\x89PNG\r\n\x1a\n\x00\x00", "x.csv", "not a spreadsheet"),
        ({}, "单位编码,邮箱\r\neast,a@example.com\r\n".encode(), "x.csv", "no 姓名"),
        ({"unit": "west"}, None, "", "Select a valid choice."),
        ({"unit": "abc"}, None, "", "Select a valid choice."),
        ({"cohort": "west-cohort"}, None, "", "Select a valid choice."),
        ({"cohort": "9999999"}, None, "", "Select a valid choice."),
    ],
)
def test_upload_form_refuses_bad_input_with_sentences(
    org, login, fields, data, name, expected
):
    client = login(org.coordinator)
    west_cohort = roster_cohort(org.west)
    post = {"unit": org.east.pk}
    for key, value in fields.items():
        post[key] = {"west": org.west.pk, "west-cohort": west_cohort.pk}.get(
            value, value
        )
    if data is not None:
        post["file"] = ContentFile(data, name=name)
    response = client.post(reverse("roster:upload"), post)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not RosterImport.objects.exists()


def test_upload_refuses_a_huge_file(org, login, settings):
    from courses import roster_files

    client = login(org.coordinator)
    data = roster_csv(GOOD) + b"x" * roster_files.MAX_BYTES
    response = upload_post(client, org, data)
    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_hostile_file_name_is_stored_safely_and_shown_escaped(org, login):
    client = login(org.coordinator)
    upload_post(
        client, org, roster_csv(GOOD), name="../../<img src=x onerror=alert(1)>.csv"
    )
    item = RosterImport.objects.get()
    assert item.file.name.startswith(svc.STORAGE_FOLDER + "/")
    assert ".." not in item.file.name and "<" not in item.file.name
    page = client.get(
        reverse("roster:preview", kwargs={"pk": item.pk})
    ).content.decode()
    assert "<img src=x" not in page


def test_the_upload_form_can_be_opened_for_a_cohort(org, login):
    client = login(org.coordinator)
    cohort = roster_cohort(org.east_room, name="东区一室春季班")
    west = roster_cohort(org.west, name="西区班")
    page = client.get(
        reverse("roster:upload") + f"?cohort={cohort.pk}"
    ).content.decode()
    assert f'<option value="{cohort.pk}" selected>' in page
    for query in (f"?cohort={west.pk}", "?cohort=abc", "?unit=-1", "?unit=" + "9" * 40):
        response = client.get(reverse("roster:upload") + query)
        assert response.status_code == 200
        assert "西区班" not in response.content.decode()


def test_templates_download(org, login):
    client = login(org.coordinator)
    xlsx = client.get(reverse("roster:template_xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK\x03\x04")
    assert "attachment" in xlsx["Content-Disposition"]
    csv = client.get(reverse("roster:template_csv"))
    assert csv.content.startswith(b"\xef\xbb\xbf")


ROSTER_URLS = ["upload", "template_xlsx", "template_csv"]
IMPORT_URLS = ["preview", "progress", "status"]


def test_pages_need_a_coordinator_of_the_imports_unit(org, client, login):
    item = preview(org, roster_csv(GOOD))
    urls = [reverse(f"roster:{name}") for name in ROSTER_URLS] + [
        reverse(f"roster:{name}", kwargs={"pk": item.pk}) for name in IMPORT_URLS
    ]
    start = reverse("roster:start", kwargs={"pk": item.pk})
    # anonymous: the login page
    for url in [*urls, start]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    # members without the coordinator role: 403
    for user in (org.trainee, org.supervisor, org.leader, org.city_leader):
        login(user)
        assert {client.get(url).status_code for url in urls} == {403}
        assert client.post(start).status_code == 403
    # the sibling coordinator: the pages, but not east's import
    login(org.sibling)
    assert {client.get(reverse(f"roster:{n}")).status_code for n in ROSTER_URLS} == {
        200
    }
    assert {
        client.get(reverse(f"roster:{n}", kwargs={"pk": item.pk})).status_code
        for n in IMPORT_URLS
    } == {404}
    assert client.post(start).status_code == 404
    assert client.get(start).status_code == 405
    assert (
        client.get(reverse("roster:preview", kwargs={"pk": 999999})).status_code == 404
    )
    # the coordinator
    login(org.coordinator)
    assert {client.get(url).status_code for url in urls} == {200}
    assert client.get(start).status_code == 405
    assert RosterImport.objects.get().status == RosterImport.Status.PREVIEWED


# --- progress while the transaction is open ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(org, login):
    # given a previewed file of 1,500 rows (staff numbers only: no emails)
    item = preview(org, roster_csv(many_rows(1500, email=False)))
    assert item.error_rows == 0
    RosterImport.objects.filter(pk=item.pk).update(status=RosterImport.Status.QUEUED)
    people = User.objects.count()
    client = login(org.coordinator)
    status_url = reverse("roster:status", kwargs={"pk": item.pk})
    # when the import runs in another thread (another database connection)
    errors = []

    def run():
        try:
            svc.roster_import_run(roster_import_id=item.pk, progress_every=50)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        # then the status page shows rows processed while none is committed
        seen = wait_for(
            lambda: (s := client.get(status_url).json())["processed"] > 0 and s,
            timeout=60,
            interval=0.05,
        )
        assert seen and seen["status"] == "running" and not seen["finished"]
        assert 0 < seen["processed"] < 1500
        assert User.objects.count() == people
    finally:
        worker.join(timeout=120)
    assert not errors
    state = client.get(status_url).json()
    assert (state["status"], state["processed"], state["total"]) == ("done", 1500, 1500)
    assert User.objects.count() == people + 1500


# --- a real worker ------------------------------------------------------------------------


@pytest.mark.worker
def test_a_large_file_goes_through_a_celery_worker(celery_worker_process, org, login):
    # given 1,200 rows, too many to import in the request
    client = login(org.coordinator)
    cohort = roster_cohort(org.east)
    upload_post(
        client,
        org,
        roster_xlsx(many_rows(1200, email=False)),
        name="big.xlsx",
        cohort=cohort.pk,
    )
    item = RosterImport.objects.get()
    assert item.error_rows == 0, item.report["rows"][:3]
    status_url = reverse("roster:status", kwargs={"pk": item.pk})
    # when the coordinator imports it
    response = client.post(reverse("roster:start", kwargs={"pk": item.pk}))
    assert response.url == reverse("roster:progress", kwargs={"pk": item.pk})
    first = client.get(status_url).json()
    # then the status goes from waiting to done with every row processed
    assert first["status"] in ("queued", "running") and not first["finished"]
    assert first["total"] == 1200
    seen = [first]

    def finished():
        seen.append(client.get(status_url).json())
        return seen[-1]["finished"] and seen[-1]

    final = wait_for(finished, timeout=120)
    assert final and final["status"] == "done", final
    processed = [state["processed"] for state in seen]
    assert processed == sorted(processed)  # never goes backwards
    assert (final["processed"], final["total"]) == (1200, 1200)
    assert User.objects.filter(staff_number__startswith="P").count() == 1200
    assert cohort.members.count() == 1200
    page = client.get(
        reverse("roster:progress", kwargs={"pk": item.pk})
    ).content.decode()
    assert 'data-testid="import-done"' in page
