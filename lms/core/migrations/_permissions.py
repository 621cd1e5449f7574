"""Helpers for migrations that give or take model permissions of a group.

The admin's scope comes from our permission policies
(``lms.core.policies.ScopedPolicy``), answered from roles and selectors;
model permissions granted to a role's group are only what Wagtail's own
views still check (page and document permissions, admin access).
"""


def _permissions(apps, app_label: str, models: dict[str, list[str]]):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, actions in models.items():
        content_type, _ = ContentType.objects.get_or_create(
            app_label=app_label, model=model
        )
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            yield permission


def granting(group: str, app_label: str, models: dict[str, list[str]]):
    """A RunPython function giving ``group`` these model permissions."""

    def grant(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        holder, _ = Group.objects.get_or_create(name=group)
        holder.permissions.add(*_permissions(apps, app_label, models))

    return grant


def revoking(group: str, app_label: str, models: dict[str, list[str]]):
    """A RunPython function taking these model permissions from ``group``."""

    def revoke(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        holder = Group.objects.filter(name=group).first()
        if holder is not None:
            holder.permissions.remove(*_permissions(apps, app_label, models))

    return revoke
