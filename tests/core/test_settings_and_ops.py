import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from lms.core.demo import load_demo_data
from lms.core.models import OrgUnit, Role, User, WorkerHeartbeat
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "LMS_"))
}


def manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**CLEAN_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k3y-" + "x7Qz!pL0vB9r#Tm2" * 4,
            "DJANGO_ALLOWED_HOSTS": "lms.example.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_refuses_to_start():
    result = manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def settings_in_subprocess(*names, env=None):
    """The values of ``names`` as a fresh process sees lms.settings."""
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'lms.settings';"
        "django.setup(); from django.conf import settings as s;"
        f"print(*[eval('s.' + n) for n in {list(names)!r}], sep='\\n')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**CLEAN_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_embedded_defaults_need_no_server():
    assert settings_in_subprocess(
        "DATABASES['default']['ENGINE']",
        "CELERY_BROKER_URL",
        "STORAGES['default']['BACKEND']",
        "TIME_ZONE",
        "LANGUAGE_CODE",
        "CELERY_TASK_ACKS_LATE",
    ) == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.files.storage.FileSystemStorage",
        "Asia/Shanghai",
        "zh-hans",
        "True",
    ]


def test_tasks_are_never_run_eagerly_in_line():
    from lms.celery import app

    assert app.conf.task_always_eager is False


def test_environment_switches_database_broker_cache_and_storage():
    assert settings_in_subprocess(
        "DATABASES['default']['ENGINE']",
        "CELERY_BROKER_URL",
        "CACHES['default']['BACKEND']",
        "STORAGES['default']['BACKEND']",
        env={
            "DATABASE_URL": "postgres://u@db.example:5432/lms",
            "CELERY_BROKER_URL": "redis://cache.example:6379/0",
            "LMS_CACHE_URL": "redis://cache.example:6379/1",
            "LMS_MEDIA_STORAGE": "django.core.files.storage.InMemoryStorage",
        },
    ) == [
        "django.db.backends.postgresql",
        "redis://cache.example:6379/0",
        "django.core.cache.backends.redis.RedisCache",
        "django.core.files.storage.InMemoryStorage",
    ]


def test_demo_addresses_are_verified_so_a_second_factor_can_be_set_up(db):
    # allauth sets up TOTP only for a person whose primary address is verified
    from allauth.account.models import EmailAddress

    load_demo_data()
    people = User.objects.filter(email__endswith="@demo.xinxun.example")
    assert people.count() >= 8
    for person in people:
        primary = EmailAddress.objects.get_primary(person)
        assert primary is not None and primary.verified, person.username


def test_demo_data_is_idempotent(db):
    first = load_demo_data()
    snapshot = (
        list(OrgUnit.objects.values_list("code", "path", "name")),
        list(User.objects.values_list("username", "password", "home_unit_id")),
    )
    second = load_demo_data()
    assert first == {"units": 7, "people": 31}
    assert second == {"units": 0, "people": 0}
    assert snapshot == (
        list(OrgUnit.objects.values_list("code", "path", "name")),
        list(User.objects.values_list("username", "password", "home_unit_id")),
    )
    levels = {unit.code: unit.get_depth() for unit in OrgUnit.objects.all()}
    assert sorted(levels.values()) == [1, 2, 2, 3, 3, 3, 3]
    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists()


def test_health_reports_database_and_worker(client, db):
    body = client.get("/health/").json()
    assert body["database"] == "ok" and body["worker"] == "unknown"


def test_celery_beat_schedules_the_heartbeat():
    from lms.celery import app

    schedule = app.conf.beat_schedule
    assert (
        schedule["worker-heartbeat"]["task"] == "lms.core.tasks.worker_heartbeat_task"
    )


@pytest.mark.worker
def test_a_real_worker_runs_the_heartbeat_and_health_turns_ok(
    celery_worker_process, client
):
    from lms.core.tasks import worker_heartbeat_task

    worker_heartbeat_task.delay()
    assert wait_for(lambda: WorkerHeartbeat.objects.exists())
    assert client.get("/health/").json()["worker"] == "ok"


@pytest.mark.worker
def test_a_real_worker_sends_the_invitation_after_commit(celery_worker_process, org):
    from lms.core.services.people import person_create

    mail_dir = Path(settings.VAR_DIR) / "test-mail"
    before = set(mail_dir.glob("*")) if mail_dir.exists() else set()
    person_create(
        actor=org.coordinator,
        username="invited",
        full_name="受邀者",
        email="invited@example.com",
        home_unit=org.east_room,
        roles=[Role.TRAINEE],
    )

    def new_mail():
        files = set(mail_dir.glob("*")) - before if mail_dir.exists() else set()
        texts = [f.read_text() for f in files]
        return [t for t in texts if "invited@example.com" in t]

    mails = wait_for(new_mail)
    assert mails and "/accounts/password/reset/key/" in mails[0]
