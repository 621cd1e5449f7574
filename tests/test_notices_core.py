"""Notices live in lms.core: the mail task is a thin wrapper over one
service, keeps its old registered name, and the move of the model kept
the table and its rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

import supervision.tasks
from lms.celery import app
from lms.core.models import Notice
from lms.core.services.notices import notice_send
from lms.core.tasks import notice_email_task

OLD_NAME = "supervision.tasks.notice_email_task"
BEFORE = [
    ("core", "0006_append_only_guards"),
    ("supervision", "0004_append_only_guards"),
]
AFTER = [
    ("core", "0007_notice_from_supervision"),
    ("supervision", "0005_notice_moves_to_core"),
]


def test_a_notice_is_mailed_once_through_the_task(
    org, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    # given a notice with a link, handed to the task after the commit
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(person=org.trainee, text="您已从候补名单递补", url="/x/")
    # then the task's service sent exactly one mail, to the person, with the link
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [org.trainee.email]
    assert mailoutbox[0].subject == notice.text
    assert mailoutbox[0].body.endswith("/x/")


def test_the_task_returns_what_the_service_did(org, mailoutbox):
    notice = notice_send(person=org.trainee, text="a", email=False)
    assert notice_email_task(notice_id=notice.pk) is True
    assert notice_email_task(notice_id=notice.pk + 999) is False
    assert len(mailoutbox) == 1


def test_the_task_answers_to_its_old_name_for_messages_already_queued(org, mailoutbox):
    # given a message queued before the move: it carries the old name
    assert notice_email_task.name == OLD_NAME
    notice = notice_send(person=org.trainee, text="b", email=False)
    # when a worker looks the name up and runs what it finds
    found = app.tasks[OLD_NAME]
    found.apply(kwargs={"notice_id": notice.pk}).get()
    # then core's task ran, and no copy is left behind in supervision
    assert found.__module__ == "lms.core.tasks"
    assert len(mailoutbox) == 1
    assert not hasattr(supervision.tasks, "notice_email_task")


def test_the_task_keeps_its_retry_policy():
    assert notice_email_task.acks_late is True
    assert notice_email_task.autoretry_for == (OSError,)
    assert notice_email_task.max_retries == 5
    assert notice_email_task.retry_backoff is True


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_moving_the_model_to_core_keeps_the_table_and_its_rows(org):
    applied = MigrationRecorder(connection).applied_migrations()
    if not all(key in applied for key in AFTER):
        pytest.skip("the test database was not made by the migrations")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        # given a notice written while the model lived in supervision
        old = _migrate(BEFORE)
        old_notice = old.get_model("supervision", "Notice")
        kept = old_notice.objects.create(person_id=org.trainee.pk, text="留下")
        # when the state-only pair is applied
        new = _migrate(AFTER)
        # then the same row is read through core's model, from the same table
        assert new.get_model("core", "Notice")._meta.db_table == "supervision_notice"
        notice = Notice.objects.get(pk=kept.pk)
        assert (notice.person, notice.text) == (org.trainee, "留下")
    finally:
        # every later test needs the whole schema back, triggers and all
        _migrate(latest)
