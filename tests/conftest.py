import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from lms.core.models import OrgUnit, Role
from tests.factories.core import UserFactory, make_unit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-42"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Login rate limits live in the cache; one test's failures must not
    # lock out the next test's user.
    cache.clear()
    yield
    cache.clear()


class Org:
    """A small organisation: a city with two counties, each with one room.

    ``east`` and ``west`` are siblings; people of one must never see the
    other's units or people.
    """

    def __init__(self):
        self.city = make_unit(name="市中心", code="city", level=OrgUnit.Level.CITY)
        self.east = make_unit(name="东区站", code="east", parent=self.city)
        self.west = make_unit(name="西区站", code="west", parent=self.city)
        self.east_room = make_unit(
            name="东区一室",
            code="east-room",
            parent=self.east,
            level=OrgUnit.Level.GRASSROOTS,
        )
        self.west_room = make_unit(
            name="西区一室",
            code="west-room",
            parent=self.west,
            level=OrgUnit.Level.GRASSROOTS,
        )
        for unit in ("city", "east", "west", "east_room", "west_room"):
            setattr(self, unit, OrgUnit.objects.get(pk=getattr(self, unit).pk))
        self.trainee = UserFactory(
            username="trainee", home_unit=self.east_room, roles=[Role.TRAINEE]
        )
        self.supervisor = UserFactory(
            username="supervisor", home_unit=self.east, roles=[Role.SUPERVISOR]
        )
        self.coordinator = UserFactory(
            username="coordinator", home_unit=self.east, roles=[Role.COORDINATOR]
        )
        self.leader = UserFactory(
            username="leader", home_unit=self.east, roles=[Role.LEADER]
        )
        self.city_leader = UserFactory(
            username="city_leader", home_unit=self.city, roles=[Role.LEADER]
        )
        # The sibling: a coordinator and leader of the west station.
        self.sibling = UserFactory(
            username="sibling",
            home_unit=self.west,
            roles=[Role.COORDINATOR, Role.LEADER],
        )
        self.west_trainee = UserFactory(
            username="west_trainee", home_unit=self.west_room, roles=[Role.TRAINEE]
        )


@pytest.fixture(scope="session")
def role_permissions(django_db_setup, django_db_blocker) -> dict:
    """The model permissions the migrations gave each group, read once the
    test database is built."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        return {
            group.name: [
                (p.content_type.app_label, p.codename)
                for p in group.permissions.select_related("content_type")
            ]
            for group in Group.objects.all()
        }


@pytest.fixture(autouse=True)
def _groups_as_migrated(request, role_permissions):
    """A transactional test starts after the previous one's flush, which
    empties the groups the migrations filled (post_migrate makes the
    permissions again, not who holds them): give them back, so such a test
    sees the roles as a real deployment has them, whatever ran before it."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    from django.contrib.auth.models import Group, Permission

    request.getfixturevalue("transactional_db")
    for name, held in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=name)
        if group.permissions.exists():
            continue
        for app_label, codename in held:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)


@pytest.fixture
def org(db):
    return Org()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def eager_celery():
    """Run Celery tasks in the test's own process, so the mails they send
    land in ``mailoutbox`` (for tests of who is told, not of the worker)."""
    from lms.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def start_celery_worker(log_name: str = "test-worker.log") -> subprocess.Popen:
    """Start a real ``celery worker`` process on the test database and
    broker, and wait until it is ready to take tasks."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "LMS_TEST_WORKER_DB": str(connection.settings_dict["NAME"]),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "LMS_EMAIL_FILE_PATH": str(Path(settings.VAR_DIR) / "test-mail"),
    }
    log = open(Path(settings.VAR_DIR) / log_name, "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "-P",
            "solo",
            "-Q",
            "celery,video,reports",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        if "ready." in log.read():
            break
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the Celery worker did not start")
    if proc.poll() is not None:
        log.seek(0)
        pytest.fail("the Celery worker exited:\n" + log.read()[-3000:])
    return proc


def stop_celery_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.log.close()


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real ``celery worker`` process on the test database and broker."""
    from lms.celery import app

    app.control.purge()
    proc = start_celery_worker()
    yield proc
    stop_celery_worker(proc)


def wait_for(predicate, timeout=30.0, interval=0.2):
    """Poll until ``predicate()`` is truthy; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
