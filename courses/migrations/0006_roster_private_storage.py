"""Roster files move to the private storage.

``stored_name`` (a path in the default, public media storage) becomes the
``file`` field on ``STORAGES["private"]``, which has no URL, and files
already uploaded move there under the same name.  From now on they are
deleted ``LMS_ROSTER_RETENTION_DAYS`` after their import
(``courses.services.roster.roster_files_sweep``).
"""

import contextlib
import os

import courses.models.imports
from django.core.files.storage import storages
from django.db import migrations, models


def _remove_empty_folder(storage, name: str) -> None:
    """A local folder left empty by the move (remote storages have none)."""
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage.path(os.path.dirname(name)))


def move(source: str, target: str):
    def apply(apps, schema_editor):
        RosterImport = apps.get_model("courses", "RosterImport")
        source_storage, target_storage = storages[source], storages[target]
        for pk, name in RosterImport.objects.exclude(file="").values_list(
            "pk", "file"
        ):
            if not source_storage.exists(name):
                continue
            with source_storage.open(name, "rb") as handle:
                stored = target_storage.save(name, handle)
            if stored != name:
                RosterImport.objects.filter(pk=pk).update(file=stored)
            source_storage.delete(name)
            _remove_empty_folder(source_storage, name)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_video_in_library"),
    ]

    operations = [
        migrations.RenameField(
            model_name="rosterimport", old_name="stored_name", new_name="file"
        ),
        migrations.AlterField(
            model_name="rosterimport",
            name="file",
            field=models.FileField(
                blank=True,
                max_length=255,
                storage=courses.models.imports.roster_storage,
                upload_to=courses.models.imports.roster_upload_to,
            ),
        ),
        migrations.RunPython(move("default", "private"), move("private", "default")),
    ]
