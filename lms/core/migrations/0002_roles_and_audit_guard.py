"""Create the four role groups and make the audit log append-only in the
database itself (a trigger refuses UPDATE on every supported engine)."""

from django.db import migrations

ROLES = ["trainee", "supervisor", "coordinator", "leader"]
# Roles that use the Wagtail admin (units, people; later the syllabus).
ADMIN_ROLES = ["coordinator"]

TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
           BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'core_auditevent is append-only'; END;
           $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
           FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();""",
    ],
}
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditevent_no_update;"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;",
        "DROP FUNCTION IF EXISTS core_auditevent_refuse();",
    ],
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    admin_ct, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_ct, codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role in ADMIN_ROLES:
            group.permissions.add(access_admin)


def run(statements):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(run(TRIGGERS), run(DROP)),
    ]
