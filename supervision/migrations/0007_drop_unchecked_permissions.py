"""Coordinators' model permissions on duty shifts, exemptions, supervisor
assignments, techniques, pairings and unit policies are no longer checked
by anything: the admin's scope and actions come from the permission
policies (``supervision.policies``), pairings and unit policies have no
admin at all.  The coordinator group gives them up."""

from django.db import migrations

from lms.core.migrations._permissions import granting, revoking

UNCHECKED = {
    "dutyshift": ["add", "change", "delete", "view"],
    "quotaexemption": ["add", "change", "delete", "view"],
    "supervisorassignment": ["add", "change", "view"],
    "technique": ["add", "change", "view"],
    "pairing": ["add", "change", "view"],
    "unitpolicy": ["add", "change", "view"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0006_certification"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(
            revoking("coordinator", "supervision", UNCHECKED),
            granting("coordinator", "supervision", UNCHECKED),
        )
    ]
