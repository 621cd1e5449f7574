"""SQL for the append-only guards, shared by the ``append_only_guards``
migrations of core, courses and supervision.

Frozen with those migrations (the loader skips modules whose name starts
with ``_``): change a guard with a new migration, never by editing this.

Per engine, a guarded table gets a trigger that refuses every UPDATE and
one that refuses DELETE unless

* the transaction holds a row in ``lms_append_only_release`` (only
  ``lms.core.append_only.released`` writes one, for ``manage.py flush``,
  and removes it before the commit), or
* for a history that goes with its parent, the parent row is gone: the
  parent's AFTER DELETE trigger (``cascade``) deletes the history rows
  once the parent row itself has been deleted.

On PostgreSQL TRUNCATE, which fires no row trigger, is refused the same way.
"""

RELEASE_TABLE = "lms_append_only_release"

CREATE_RELEASE = {
    vendor: [f"CREATE TABLE {RELEASE_TABLE} (reason varchar(100) NOT NULL);"]
    for vendor in ("sqlite", "postgresql")
}
DROP_RELEASE = {
    vendor: [f"DROP TABLE IF EXISTS {RELEASE_TABLE};"]
    for vendor in ("sqlite", "postgresql")
}

#: The PostgreSQL trigger function of tables without a parent check.
CREATE_REFUSE_FUNCTION = {
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION lms_append_only_refuse() RETURNS trigger AS $$
           BEGIN
             IF TG_OP IN ('DELETE', 'TRUNCATE')
                AND EXISTS (SELECT 1 FROM {RELEASE_TABLE}) THEN
               RETURN OLD;
             END IF;
             RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
           END;
           $$ LANGUAGE plpgsql;""",
    ]
}
DROP_REFUSE_FUNCTION = {
    "postgresql": ["DROP FUNCTION IF EXISTS lms_append_only_refuse();"]
}

_RELEASED = f"EXISTS (SELECT 1 FROM {RELEASE_TABLE})"


def guard(
    table: str, *, parent: tuple[str, str] | None = None, update: bool = True
) -> dict[str, list[str]]:
    """Statements that make ``table`` append-only.

    ``parent`` is ``(parent_table, fk_column)`` for a history that goes
    with its parent; ``update=False`` leaves out the UPDATE trigger for a
    table that has one already.
    """
    refuse = f"SELECT RAISE(ABORT, '{table} is append-only');"
    when = f"NOT {_RELEASED}"
    if parent is not None:
        when += f" AND EXISTS (SELECT 1 FROM {parent[0]} WHERE id = OLD.{parent[1]})"
    sqlite = [
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
           WHEN {when} BEGIN {refuse} END;""",
    ]
    postgresql = [
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
           FOR EACH STATEMENT EXECUTE FUNCTION lms_append_only_refuse();""",
    ]
    if parent is None:
        postgresql.append(
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION lms_append_only_refuse();"""
        )
    else:
        postgresql += [
            f"""CREATE OR REPLACE FUNCTION {table}_refuse_delete() RETURNS trigger AS $$
               BEGIN
                 IF {when} THEN
                   RAISE EXCEPTION '{table} is append-only';
                 END IF;
                 RETURN OLD;
               END;
               $$ LANGUAGE plpgsql;""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION {table}_refuse_delete();""",
        ]
    if update:
        sqlite.append(
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
               BEGIN {refuse} END;"""
        )
        postgresql.append(
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
               FOR EACH ROW EXECUTE FUNCTION lms_append_only_refuse();"""
        )
    return {"sqlite": sqlite, "postgresql": postgresql}


def unguard(
    table: str, *, parent: tuple[str, str] | None = None, update: bool = True
) -> dict[str, list[str]]:
    """The reverse of ``guard`` with the same arguments."""
    names = ["no_delete"] + (["no_update"] if update else [])
    postgresql = [
        f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};"
        for name in [*names, "no_truncate"]
    ]
    if parent is not None:
        postgresql.append(f"DROP FUNCTION IF EXISTS {table}_refuse_delete();")
    return {
        "sqlite": [f"DROP TRIGGER IF EXISTS {table}_{name};" for name in names],
        "postgresql": postgresql,
    }


def cascade(parent: str, table: str, fk_column: str) -> dict[str, list[str]]:
    """Delete ``table``'s rows after their ``parent`` row is deleted (the
    Django foreign key is ``DO_NOTHING``)."""
    name = f"{parent}_cascade_{table.split('_', 1)[1]}"
    delete = f"DELETE FROM {table} WHERE {fk_column} = OLD.id;"
    return {
        "sqlite": [
            f"""CREATE TRIGGER {name} AFTER DELETE ON {parent}
               BEGIN {delete} END;""",
        ],
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
               BEGIN {delete} RETURN OLD; END;
               $$ LANGUAGE plpgsql;""",
            f"""CREATE TRIGGER {name} AFTER DELETE ON {parent}
               FOR EACH ROW EXECUTE FUNCTION {name}();""",
        ],
    }


def uncascade(parent: str, table: str) -> dict[str, list[str]]:
    name = f"{parent}_cascade_{table.split('_', 1)[1]}"
    return {
        "sqlite": [f"DROP TRIGGER IF EXISTS {name};"],
        "postgresql": [
            f"DROP TRIGGER IF EXISTS {name} ON {parent};",
            f"DROP FUNCTION IF EXISTS {name}();",
        ],
    }


def joined(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    """Several statement sets as one, in order."""
    result: dict[str, list[str]] = {}
    for part in parts:
        for vendor, statements in part.items():
            result.setdefault(vendor, []).extend(statements)
    return result


def run(statements: dict[str, list[str]]):
    """A ``RunPython`` function executing the statements for the engine
    at hand (other engines have no guard)."""

    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return apply
