"""Every append-only model is guarded in the database, not only by the ORM:
a new history (a tier change, a deployment step…) whose migration forgot
``guard`` fails here."""

import pytest
from django.apps import apps
from django.db import connection

from lms.core.models import AppendOnlyModel

pytestmark = pytest.mark.django_db


def _append_only_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and not model._meta.proxy
    )


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_the_list_of_append_only_tables_is_not_empty():
    tables = _append_only_tables()
    assert "core_hoursentry" in tables
    assert "supervision_tierchange" in tables
    assert "supervision_deploymenttransition" in tables


@pytest.mark.parametrize("table", _append_only_tables())
def test_every_append_only_table_refuses_update_and_delete_in_sql(table):
    triggers = _triggers()
    assert f"{table}_no_delete" in triggers
    assert f"{table}_no_update" in triggers
