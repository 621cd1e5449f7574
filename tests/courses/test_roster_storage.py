"""Roster files (names, mobile numbers, e-mail addresses, staff numbers)
are kept in the private storage and deleted after the retention period."""

import datetime
import importlib
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.utils import timezone, translation

from courses.models import RosterImport
from courses.services import roster as svc
from courses.tasks import roster_files_sweep_task
from lms.core.models import User
from tests.factories.roster import roster_csv

ROWS = [["王小明", "east-room", "wxm@example.com", "13800138000", "J0001", "学员"]]
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clean_storages():
    yield
    for storage in (storages["private"], default_storage):
        shutil.rmtree(storage.path(svc.STORAGE_FOLDER), ignore_errors=True)


def preview(org, rows=ROWS) -> RosterImport:
    return svc.roster_preview(
        actor=org.coordinator,
        upload=ContentFile(roster_csv(rows), name="名单.csv"),
        filename="名单.csv",
        unit=org.east,
    )


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def aged(item: RosterImport, *, days: int, finished: bool = True) -> RosterImport:
    """Move the import's upload (and finish) ``days`` into the past."""
    moment = timezone.now() - days * DAY
    RosterImport.objects.filter(pk=item.pk).update(
        created_at=moment, finished_at=moment if finished else None
    )
    return RosterImport.objects.get(pk=item.pk)


def test_an_upload_lands_in_the_private_storage_and_nowhere_public(org):
    # when a coordinator uploads a roster
    item = preview(org)
    # then the file is in the private storage, byte for byte
    private = storages["private"]
    assert item.file.storage.path(item.file.name) == private.path(item.file.name)
    assert private.open(item.file.name).read() == roster_csv(ROWS)
    # and nothing of it is under the public media folder
    assert not default_storage.exists(item.file.name)
    public = Path(settings.MEDIA_ROOT) / svc.STORAGE_FOLDER
    assert files_under(public) == []


def test_the_import_still_works_from_the_private_storage(org):
    item = svc.roster_import_start(actor=org.coordinator, roster_import=preview(org))
    assert item.status == RosterImport.Status.DONE
    assert User.objects.filter(email="wxm@example.com").exists()


def test_the_sweeper_deletes_an_old_file_and_keeps_a_recent_one(org):
    # given an import finished a day past the retention, one finished a day
    # before it, and one checked long ago but never imported
    assert settings.LMS_ROSTER_RETENTION_DAYS == 30
    old = aged(preview(org), days=31)
    recent = aged(preview(org), days=29)
    abandoned = aged(preview(org), days=31, finished=False)
    private = storages["private"]
    # when the sweeper runs
    assert svc.roster_files_sweep() == 2
    # then the old files and the names in their reports are gone; the rows
    # and their counts stay
    for item in (old, abandoned):
        assert not private.exists(item.file.name)
        item.refresh_from_db()
        assert item.file.name == "" and item.report["counts"]["rows"] == 1
        assert "王小明" not in str(item.report)
        assert "wxm@example.com" not in str(item.report)
    assert private.exists(recent.file.name)
    recent.refresh_from_db()
    assert recent.report["rows"][0]["name"] == "王小明"
    # and a second run finds nothing more to do
    assert svc.roster_files_sweep() == 0
    assert private.exists(recent.file.name)


def test_the_retention_is_a_setting(org, settings):
    item = aged(preview(org), days=8)
    settings.LMS_ROSTER_RETENTION_DAYS = 10
    assert svc.roster_files_sweep() == 0
    settings.LMS_ROSTER_RETENTION_DAYS = 7
    assert svc.roster_files_sweep() == 1
    assert not storages["private"].exists(item.file.name)


def test_a_file_already_missing_is_swept_without_error(org):
    item = aged(preview(org), days=40)
    storages["private"].delete(item.file.name)
    assert svc.roster_files_sweep() == 1
    item.refresh_from_db()
    assert item.file.name == ""


def test_an_import_whose_file_was_swept_fails_with_a_sentence(org):
    item = preview(org)
    svc.roster_files_sweep(now=timezone.now() + 31 * DAY)
    with translation.override("en"):
        item = svc.roster_import_start(actor=org.coordinator, roster_import=item)
    assert item.status == RosterImport.Status.FAILED
    assert "no longer available" in item.report["message"]
    assert not User.objects.filter(email="wxm@example.com").exists()


def test_celery_beat_runs_the_sweeper_daily(org):
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "courses.tasks.roster_files_sweep_task"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"].hour == {3}
    old = aged(preview(org), days=31)
    assert roster_files_sweep_task.apply().get() == 1
    assert not storages["private"].exists(old.file.name)


def test_the_migration_moves_files_out_of_the_public_storage(org):
    # given an import whose file is still where uploads used to go
    name = f"{svc.STORAGE_FOLDER}/legacy/名单.csv"
    default_storage.save(name, ContentFile(roster_csv(ROWS)))
    item = preview(org)
    RosterImport.objects.filter(pk=item.pk).update(file=name)
    storages["private"].delete(item.file.name)
    # when the migration's move runs
    migration = importlib.import_module(
        "courses.migrations.0006_roster_private_storage"
    )
    migration.move("default", "private")(apps, None)
    # then the file is in the private storage only
    assert storages["private"].open(name).read() == roster_csv(ROWS)
    assert not default_storage.exists(name)
