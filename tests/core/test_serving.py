"""Production serving: gunicorn with WhiteNoise, DEBUG off, and the launcher
behind ``make demo`` (lms/core/launcher.py) that Ctrl-C stops whole."""

import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from lms.core import launcher
from lms.core.demo import DEMO_PASSWORD, PEOPLE
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("DJANGO_", "LMS_"))
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def fetch(url: str, headers=None):
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def database_url_of_the_test_db() -> str:
    """The test database, as a URL another process can open."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{settings['NAME']}"


@pytest.fixture(scope="module")
def served_var(tmp_path_factory):
    """A var/ folder and collected static files for the servers started
    here (one collectstatic for the module)."""
    folder = tmp_path_factory.mktemp("serve-var")
    env = launcher.child_environment(
        host="127.0.0.1",
        port=8000,
        dev=False,
        environ={
            **PRODUCTION_ENV,
            "LMS_VAR_DIR": str(folder),
            "LMS_STATIC_ROOT": str(folder / "static"),
        },
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return folder


@pytest.fixture
def gunicorn(served_var, transactional_db):
    """gunicorn as ``make demo`` runs it, on the test database."""
    port = free_port()
    env = launcher.child_environment(
        host="127.0.0.1",
        port=port,
        dev=False,
        environ={
            **PRODUCTION_ENV,
            "LMS_VAR_DIR": str(served_var),
            "LMS_STATIC_ROOT": str(served_var / "static"),
            "DATABASE_URL": database_url_of_the_test_db(),
            "LMS_WEB_WORKERS": "1",
            "LMS_WEB_THREADS": "2",
        },
    )
    argv = launcher.commands(host="127.0.0.1", port=port, dev=False)["web"]
    log = open(served_var / "gunicorn.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    ready = wait_for(
        lambda: port_open(port) and fetch(base + "/health/")[0] == 200, timeout=90
    )
    if not ready:
        proc.kill()
        log.seek(0)
        pytest.fail("gunicorn did not answer:\n" + log.read()[-3000:])
    yield base
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_gunicorn_serves_pages_hashed_static_files_and_the_chinese_404(gunicorn):
    # a page, with DEBUG off: static files under hashed names
    status, _headers, body = fetch(gunicorn + "/accounts/login/")
    page = body.decode()
    assert status == 200 and '<html lang="zh-hans">' in page
    css = re.search(r'href="(/static/core/site\.[0-9a-f]{12}\.css)"', page)
    assert css, "the stylesheet is not linked under its hashed name"

    # the hashed file, cached for a year and compressed
    status, headers, body = fetch(gunicorn + css.group(1))
    assert status == 200 and b"--brand" in body
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"])[1]) >= 31536000
    status, headers, body = fetch(
        gunicorn + css.group(1), headers={"Accept-Encoding": "gzip"}
    )
    assert headers["Content-Encoding"] == "gzip" and b"--brand" in gzip.decompress(body)

    # a missing URL: the product's Chinese page, not Django's debug 404
    status, _headers, body = fetch(gunicorn + "/no-such-page/")
    page = body.decode()
    assert status == 404
    assert "页面不存在" in page and 'lang="zh-hans"' in page
    assert "URLconf" not in page and "DEBUG = True" not in page

    # the icon browsers ask for on every page
    status, headers, body = fetch(gunicorn + "/favicon.ico")
    assert status == 200 and headers["Content-Type"] == "image/x-icon"
    assert body[:4] == b"\x00\x00\x01\x00"


def test_gunicorn_reads_workers_and_threads_from_the_environment():
    code = (
        "import runpy; c = runpy.run_path('lms/gunicorn_conf.py');"
        "print(c['workers'], c['threads'], c['worker_class'])"
    )

    def conf(**env):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**PRODUCTION_ENV, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.split()

    assert conf(LMS_WEB_WORKERS="5", LMS_WEB_THREADS="8") == ["5", "8", "gthread"]
    workers, threads, _kind = conf()
    assert int(workers) == (os.cpu_count() or 1) + 1 and threads == "4"


def test_demo_environment_turns_debug_off_with_a_secret_made_once(tmp_path):
    environ = {"LMS_VAR_DIR": str(tmp_path)}
    first = launcher.child_environment(
        host="127.0.0.1", port=8123, dev=False, environ=environ
    )
    second = launcher.child_environment(
        host="127.0.0.1", port=8123, dev=False, environ=environ
    )
    assert first["DJANGO_DEBUG"] == "0" and first["LMS_HTTPS"] == "0"
    assert len(first["DJANGO_SECRET_KEY"]) >= 50
    assert first["DJANGO_SECRET_KEY"] == second["DJANGO_SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    given = launcher.child_environment(
        host="127.0.0.1",
        port=8123,
        dev=False,
        environ={**environ, "DJANGO_SECRET_KEY": "from-the-operator"},
    )
    assert given["DJANGO_SECRET_KEY"] == "from-the-operator"
    dev = launcher.child_environment(
        host="127.0.0.1", port=8123, dev=True, environ=environ
    )
    assert dev["DJANGO_DEBUG"] == "1"
    assert launcher.commands(host="127.0.0.1", port=8123, dev=True)["web"][2] == (
        "runserver"
    )


def test_links_use_the_port_the_server_was_started_with_unless_set(tmp_path):
    environ = {"LMS_VAR_DIR": str(tmp_path)}
    env = launcher.child_environment(
        host="127.0.0.1", port=8123, dev=False, environ=environ
    )
    assert env["LMS_BASE_URL"] == "http://127.0.0.1:8123"
    env = launcher.child_environment(
        host="127.0.0.1",
        port=8123,
        dev=False,
        environ={**environ, "LMS_BASE_URL": "https://lms.example.cn"},
    )
    assert env["LMS_BASE_URL"] == "https://lms.example.cn"
    # and the settings (e-mails, QR codes, invitations) read it
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'lms.settings';"
        "django.setup(); from django.conf import settings as s;"
        "from lms.core.invitations import invitation_url;"
        "print(s.LMS_BASE_URL, s.WAGTAILADMIN_BASE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**PRODUCTION_ENV, "LMS_BASE_URL": "http://127.0.0.1:8123"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["http://127.0.0.1:8123"] * 2


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (by parent id), zombies left out."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def log_text(log) -> str:
    log.seek(0)
    return log.read()


def running(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.mark.worker
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_web_worker_and_beat(served_var, tmp_path, signum):
    # given the launcher behind `make serve`, in its own process group
    port = free_port()
    env = {
        **PRODUCTION_ENV,
        "LMS_VAR_DIR": str(tmp_path),
        "LMS_STATIC_ROOT": str(served_var / "static"),
        "LMS_WEB_WORKERS": "1",
        "LMS_WEB_THREADS": "2",
    }
    log = open(tmp_path / "launcher.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lms.core.launcher",
            "--port",
            str(port),
            "--no-collectstatic",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert wait_for(lambda: port_open(port), timeout=90), "the port never opened"
        # the logins come last, after the worker started and fell quiet
        printed = wait_for(lambda: DEMO_PASSWORD in log_text(log), timeout=90)
        assert printed, log_text(log)[-3000:]
        output = log_text(log)
        assert output.index("[queues]") < output.index("east_coord")
        # web (master and worker), the Celery worker and its pool, beat
        children = wait_for(lambda: len(descendants(proc.pid)) >= 5, timeout=60)
        assert children, descendants(proc.pid)
        children = descendants(proc.pid)

        # when the terminal's Ctrl-C (or a SIGTERM) reaches the group
        os.killpg(proc.pid, signum)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.seek(0)
        output = log.read()
        log.close()

    # then nothing it started is left and the port is closed
    assert wait_for(lambda: not running(children), timeout=5), output[-3000:]
    assert not port_open(port)
    assert proc.returncode == 0, output[-3000:]
    assert "stopped web, worker and beat" in output


def test_quiet_means_the_worker_started_and_nothing_printed_lately():
    run = launcher.Launcher(host="127.0.0.1", port=free_port(), dev=False, env={})
    run.last_output = time.monotonic() - 60
    assert not run.quiet(), "quiet before the worker has even started"
    run.worker_spoke = True
    assert run.quiet()
    run.last_output = time.monotonic()
    assert not run.quiet(), "quiet while the worker prints e-mails"


def test_the_login_list_names_every_demo_login():
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_data", "--only-logins"],
        cwd=ROOT,
        env={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    for username, full_name, *_rest in PEOPLE:
        assert re.search(rf"\b{username}\b\s+{full_name}", result.stdout), username
    for login in ("admin", "east_coord", "west_coord", "east_leader"):
        assert re.search(rf"^\s+{login}\b", result.stdout, re.M), login
    assert result.stdout.strip().splitlines()[-1].endswith(DEMO_PASSWORD)


def test_demo_mail_goes_to_files_so_the_console_keeps_the_logins(tmp_path):
    environ = {"LMS_VAR_DIR": str(tmp_path)}
    env = launcher.child_environment(
        host="127.0.0.1", port=8123, dev=False, environ=environ
    )
    assert env["DJANGO_EMAIL_BACKEND"] == launcher.FILE_MAIL
    assert str(tmp_path / "mail") in launcher.mail_folder(env)
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    chosen = launcher.child_environment(
        host="127.0.0.1",
        port=8123,
        dev=False,
        environ={**environ, "DJANGO_EMAIL_BACKEND": smtp},
    )
    assert chosen["DJANGO_EMAIL_BACKEND"] == smtp
    assert launcher.mail_folder(chosen) == ""
