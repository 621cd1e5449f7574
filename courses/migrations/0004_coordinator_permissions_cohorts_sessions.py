"""Coordinators manage cohorts and offline sessions in the Wagtail admin
(scoped to their subtree by the admin's querysets, not by these rows)."""

from django.db import migrations

PERMISSIONS = {
    "cohort": ["add", "change", "delete", "view"],
    "offlinesession": ["add", "change", "delete", "view"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    coordinator, _ = Group.objects.get_or_create(name="coordinator")
    for model, actions in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(
            app_label="courses", model=model
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
        ("courses", "0003_cohorts_sessions_imports"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
