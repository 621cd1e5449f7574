"""Opening the database's append-only guard, for emptying the database.

The history tables refuse UPDATE and DELETE in the database (see
``lms.core.models.append_only``).  Emptying the whole database
(``manage.py flush``, which the test runner calls after each transactional
test) is the one deletion they let through: ``released`` writes a row into
``lms_append_only_release`` and removes it again inside one transaction,
so no other connection ever sees the guard open.
"""

import contextlib
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections, transaction

RELEASE_TABLE = "lms_append_only_release"


@contextlib.contextmanager
def released(*, reason: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block in one transaction in which the history tables accept
    DELETE (never UPDATE).  A database without the guard (not migrated
    that far) is left as it is."""
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            guarded = RELEASE_TABLE in connection.introspection.table_names(cursor)
            if guarded:
                cursor.execute(
                    f"INSERT INTO {RELEASE_TABLE} (reason) VALUES (%s)",  # noqa: S608
                    [reason[:100]],
                )
        yield
        if guarded:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {RELEASE_TABLE}")  # noqa: S608
