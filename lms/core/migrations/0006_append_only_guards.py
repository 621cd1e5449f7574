"""History tables are append-only in the database too: the audit log
(which refused UPDATE since 0002) now refuses DELETE, and the hours ledger
refuses both.  See ``_append_only`` for the triggers and the release table
that ``manage.py flush`` uses."""

from django.db import migrations

from lms.core.migrations._append_only import (
    CREATE_REFUSE_FUNCTION,
    CREATE_RELEASE,
    DROP_REFUSE_FUNCTION,
    DROP_RELEASE,
    guard,
    joined,
    run,
    unguard,
)

GUARDS = joined(
    CREATE_RELEASE,
    CREATE_REFUSE_FUNCTION,
    guard("core_auditevent", update=False),
    guard("core_hoursentry"),
)
UNGUARDS = joined(
    unguard("core_hoursentry"),
    unguard("core_auditevent", update=False),
    DROP_REFUSE_FUNCTION,
    DROP_RELEASE,
)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_security_audit_actions"),
    ]

    operations = [
        migrations.RunPython(run(GUARDS), run(UNGUARDS)),
    ]
