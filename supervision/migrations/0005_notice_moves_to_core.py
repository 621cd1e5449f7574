"""Notices belong to the whole product: the model moves to ``lms.core``.

State only: the table ``supervision_notice`` and its rows stay where they
are, and core's ``0007_notice_from_supervision`` (which depends on this
one) takes the model over with that same table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_append_only_guards"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notice")],
            database_operations=[],
        ),
    ]
