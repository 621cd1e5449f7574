"""Lock approved practice entries in the database itself, and give
coordinators the admin permissions for what they manage here.

The trigger refuses any UPDATE of a row whose stored status is
``approved``, so ``QuerySet.update``, the admin or raw SQL cannot change
a signed-off entry.  DELETE is refused by the model layer instead: a
DELETE trigger would also fire on the test runner's flush on SQLite.
"""

from django.db import migrations

TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER supervision_entry_locked BEFORE UPDATE
           ON supervision_practiceentry WHEN OLD.status = 'approved'
           BEGIN SELECT RAISE(ABORT, 'approved practice entries are locked'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION supervision_entry_refuse() RETURNS trigger AS $$
           BEGIN
             IF OLD.status = 'approved' THEN
               RAISE EXCEPTION 'approved practice entries are locked';
             END IF;
             RETURN NEW;
           END;
           $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER supervision_entry_locked BEFORE UPDATE
           ON supervision_practiceentry
           FOR EACH ROW EXECUTE FUNCTION supervision_entry_refuse();""",
    ],
}
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS supervision_entry_locked;"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS supervision_entry_locked ON supervision_practiceentry;",
        "DROP FUNCTION IF EXISTS supervision_entry_refuse();",
    ],
}

PERMISSIONS = {
    "dutyshift": ["add", "change", "delete", "view"],
    "quotaexemption": ["add", "change", "delete", "view"],
    "pairing": ["add", "change", "view"],
    "supervisorassignment": ["add", "change", "view"],
    "technique": ["add", "change", "view"],
    "unitpolicy": ["add", "change", "view"],
}


def run(statements):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    coordinator, _ = Group.objects.get_or_create(name="coordinator")
    for model, actions in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(
            app_label="supervision", model=model
        )
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            coordinator.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(run(TRIGGERS), run(DROP)),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
