"""Let coordinators edit the syllabus, upload videos and attach documents.

The syllabus is shared by the whole deployment: coordinators may add,
edit and publish pages anywhere in the page tree, and add and choose
documents in the root collection.  Videos are scoped to their subtree by
the admin's querysets (``courses.viewsets``), not by these permissions.
"""

from django.db import migrations

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
DOCUMENT_PERMISSIONS = ["add_document", "change_document", "choose_document"]
VIDEO_PERMISSIONS = ["add_video", "change_video", "delete_video", "view_video"]


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": codename.replace("_", " ").capitalize()},
    )
    return permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    coordinator, _ = Group.objects.get_or_create(name="coordinator")
    for codename in VIDEO_PERMISSIONS:
        coordinator.permissions.add(_permission(apps, "courses", "video", codename))
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=coordinator,
                page=root,
                permission=_permission(apps, "wagtailcore", "page", codename),
            )
    collection = Collection.objects.filter(depth=1).first()
    if collection is not None:
        for codename in DOCUMENT_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=coordinator,
                collection=collection,
                permission=_permission(apps, "wagtaildocs", "document", codename),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("core", "0002_roles_and_audit_guard"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
