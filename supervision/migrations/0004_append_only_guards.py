"""The sign-off and review histories are append-only in the database, and
approved practice entries cannot be deleted either (0002 refused their
UPDATE only).

UPDATE of a history row is refused, and so is DELETE, except that an
entry's sign-off steps go with the entry: an entry that is not approved
may be deleted (a trainee's draft), and a DELETE of the entry row deletes
its steps after it, the only DELETE their trigger lets through.  Review
steps protect their submission.  See ``lms.core.migrations._append_only``.
"""

import django.db.models.deletion
from django.db import migrations, models

from lms.core.migrations._append_only import (
    RELEASE_TABLE,
    cascade,
    guard,
    joined,
    run,
    uncascade,
    unguard,
)

ENTRY = ("supervision_practiceentry", "entry_id")

APPROVED_LOCKED = {
    "sqlite": [
        f"""CREATE TRIGGER supervision_entry_locked_delete BEFORE DELETE
           ON supervision_practiceentry
           WHEN OLD.status = 'approved'
             AND NOT EXISTS (SELECT 1 FROM {RELEASE_TABLE})
           BEGIN SELECT RAISE(ABORT, 'approved practice entries are locked'); END;""",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION supervision_entry_refuse_delete()
           RETURNS trigger AS $$
           BEGIN
             IF OLD.status = 'approved'
                AND NOT EXISTS (SELECT 1 FROM {RELEASE_TABLE}) THEN
               RAISE EXCEPTION 'approved practice entries are locked';
             END IF;
             RETURN OLD;
           END;
           $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER supervision_entry_locked_delete BEFORE DELETE
           ON supervision_practiceentry
           FOR EACH ROW EXECUTE FUNCTION supervision_entry_refuse_delete();""",
    ],
}
APPROVED_UNLOCKED = {
    "sqlite": ["DROP TRIGGER IF EXISTS supervision_entry_locked_delete;"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS supervision_entry_locked_delete"
        " ON supervision_practiceentry;",
        "DROP FUNCTION IF EXISTS supervision_entry_refuse_delete();",
    ],
}

GUARDS = joined(
    APPROVED_LOCKED,
    guard("supervision_entrytransition", parent=ENTRY),
    cascade("supervision_practiceentry", "supervision_entrytransition", "entry_id"),
    guard("supervision_reviewtransition"),
)
UNGUARDS = joined(
    unguard("supervision_reviewtransition"),
    uncascade("supervision_practiceentry", "supervision_entrytransition"),
    unguard("supervision_entrytransition", parent=ENTRY),
    APPROVED_UNLOCKED,
)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_consent_forms_private"),
        ("core", "0006_append_only_guards"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entrytransition",
            name="entry",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="transitions",
                to="supervision.practiceentry",
            ),
        ),
        migrations.AlterField(
            model_name="reviewtransition",
            name="submission",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transitions",
                to="supervision.videolessonsubmission",
            ),
        ),
        migrations.RunPython(run(GUARDS), run(UNGUARDS)),
    ]
