"""Coordinators' model permissions on videos, cohorts and offline sessions
are no longer checked by anything: the admin's scope and actions come from
the permission policies (``courses.policies``).  Rows nothing checks are a
trap (Wagtail's group editor shows them as if they mattered), so the
coordinator group gives them up; page and document permissions stay."""

from django.db import migrations

from lms.core.migrations._permissions import granting, revoking

UNCHECKED = {
    "video": ["add", "change", "delete", "view"],
    "cohort": ["add", "change", "delete", "view"],
    "offlinesession": ["add", "change", "delete", "view"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_append_only_guards"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(
            revoking("coordinator", "courses", UNCHECKED),
            granting("coordinator", "courses", UNCHECKED),
        )
    ]
