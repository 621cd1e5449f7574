"""Notices belong to the whole product: the model moves here from
supervision (whose ``0005_notice_moves_to_core`` drops it from its state).

State only: the model keeps the table ``supervision_notice``, its rows and
its index.  Its content type is relabelled too, so that permissions and
admin log entries on notices follow it rather than going stale.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _relabel(old: str, new: str):
    def apply(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        rows = ContentType.objects.using(db)
        if not rows.filter(app_label=new, model="notice").exists():
            rows.filter(app_label=old, model="notice").update(app_label=new)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_append_only_guards"),
        ("supervision", "0005_notice_moves_to_core"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", models.CharField(max_length=300, verbose_name="text")),
                        (
                            "url",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="link"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                auto_now_add=True, verbose_name="sent at"
                            ),
                        ),
                        (
                            "read_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="read at"
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notices",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="person",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "notice",
                        "verbose_name_plural": "notices",
                        "db_table": "supervision_notice",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["person", "read_at"],
                                name="supervision_person__f4327f_idx",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            _relabel("supervision", "core"), _relabel("core", "supervision")
        ),
    ]
