"""Run the product on one machine: web, Celery worker and Celery beat.

    python -m lms.core.launcher [--dev] [--host 127.0.0.1] [--port 8000]

``make demo`` and ``make serve`` run this; ``make dev`` adds ``--dev``.

* Without ``--dev`` it serves as production does: gunicorn
  (``lms/gunicorn_conf.py``), static files collected and served by
  WhiteNoise, ``DEBUG`` off, so people see the product's own 404 and 500
  pages.  A secret key is made once into ``var/secret_key`` when
  ``DJANGO_SECRET_KEY`` is not set, and plain HTTP is allowed
  (``LMS_HTTPS=0``) because the demo has no TLS proxy in front.
* With ``--dev``: Django's ``runserver`` with ``DEBUG`` on and reloading.
* Links in e-mails and QR codes point at the host and port served here
  unless ``LMS_BASE_URL`` is set.
* Each child runs in a process group of its own, so Ctrl-C (SIGINT) or
  SIGTERM to this process ends every process the children started
  (gunicorn's workers, Celery's pool): they get SIGTERM, and SIGKILL after
  ``STOP_GRACE_SECONDS``.  A child also gets SIGTERM if this process dies
  without cleaning up (Linux's parent-death signal).
* The login list is printed last, once the worker has stopped printing the
  e-mails queued by the demo data, so it is not buried among them.

Only the standard library is used here: the secret must exist before any
process loads the settings.
"""

import argparse
import contextlib
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STOP_GRACE_SECONDS = 10.0
QUIET_SECONDS = 3.0
QUIET_AT_MOST_SECONDS = 30.0
DEFAULT_HOSTS = "127.0.0.1,localhost,[::1]"
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - names, not a bind


def var_dir(environ) -> Path:
    """The folder lms.settings uses for local state (``LMS_VAR_DIR``)."""
    return Path(environ.get("LMS_VAR_DIR") or ROOT / "var")


def secret_key(folder: Path) -> str:
    """The key in ``folder/secret_key``, made (readable by us only) once."""
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def base_url(host: str, port: int) -> str:
    name = socket.getfqdn() if host in WILDCARD_HOSTS else host
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return f"http://{name}:{port}"


FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"


def child_environment(*, host: str, port: int, dev: bool, environ) -> dict:
    """The environment every child gets: what was set wins, the rest is
    derived from how the server is started."""
    env = dict(environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env["DJANGO_SETTINGS_MODULE"] = "lms.settings"
    env.setdefault("LMS_BASE_URL", base_url(host, port))
    # The demo's mails (hundreds of notices while its data is made) go to
    # files in var/mail rather than over the console the logins are read on.
    env.setdefault("DJANGO_EMAIL_BACKEND", FILE_MAIL)
    if "DJANGO_ALLOWED_HOSTS" not in env:
        hosts = DEFAULT_HOSTS.split(",")
        extra = socket.getfqdn() if host in WILDCARD_HOSTS else host
        env["DJANGO_ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*hosts, extra]))
    if dev:
        env["DJANGO_DEBUG"] = "1"
        return env
    env["DJANGO_DEBUG"] = "0"
    env.setdefault("LMS_HTTPS", "0")
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = secret_key(var_dir(environ))
    return env


def commands(*, host: str, port: int, dev: bool) -> dict[str, list[str]]:
    python = sys.executable
    if dev:
        web = [python, "manage.py", "runserver", f"{host}:{port}"]
    else:
        web = [
            python,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "lms" / "gunicorn_conf.py"),
            "--bind",
            f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        ]
    celery = [python, "-m", "celery", "-A", "lms"]
    return {
        "web": web,
        "worker": [
            *celery,
            "worker",
            "-l",
            "warning",
            "-Q",
            "celery,video,reports",
            "-c",
            "2",
        ],
        "beat": [*celery, "beat", "-l", "warning"],
    }


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launcher dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Launcher:
    """Three children, each the leader of its own process group."""

    def __init__(self, *, host: str, port: int, dev: bool, env: dict):
        self.host, self.port, self.dev, self.env = host, port, dev, env
        self.children: dict[str, subprocess.Popen] = {}
        self.last_output = time.monotonic()
        self.worker_spoke = False
        self.stopping = threading.Event()

    def start(self) -> None:
        for name, argv in commands(
            host=self.host, port=self.port, dev=self.dev
        ).items():
            child = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
            self.children[name] = child
            threading.Thread(
                target=self._forward, args=(name, child), daemon=True
            ).start()

    def _forward(self, name: str, child: subprocess.Popen) -> None:
        for line in iter(child.stdout.readline, b""):
            self.last_output = time.monotonic()
            self.worker_spoke = self.worker_spoke or name == "worker"
            sys.stdout.buffer.write(line)
            sys.stdout.flush()

    def port_open(self) -> bool:
        try:
            socket.create_connection((self.host, self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def wait(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.stopping.is_set() and time.monotonic() < deadline:
            if self.dead() or predicate():
                return predicate()
            time.sleep(0.2)
        return False

    def dead(self) -> list[str]:
        return [name for name, c in self.children.items() if c.poll() is not None]

    def quiet(self) -> bool:
        """The worker has started (its banner) and nobody printed lately."""
        return (
            self.worker_spoke and time.monotonic() - self.last_output >= QUIET_SECONDS
        )

    def stop(self) -> None:
        """SIGTERM to each child, which stops its own workers; after the
        grace, SIGKILL to whatever is left in their groups."""
        self.stopping.set()
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        groups = [child.pid for child in self.children.values()]
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while time.monotonic() < deadline and _alive_in(groups):
            for child in self.children.values():
                child.poll()
            time.sleep(0.25)
        _signal_groups(groups, signal.SIGKILL)
        for child in self.children.values():
            child.wait()


def _signal_groups(groups: list[int], signum: int) -> None:
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signum)


def _alive_in(groups: list[int]) -> bool:
    """Whether a process of one of ``groups`` still runs (not a zombie)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups and fields[0] != "Z":
            return True
    return False


def print_logins(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "demo_data", "--only-logins"],
        cwd=ROOT,
        env=env,
        check=False,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--dev", action="store_true", help="runserver, DEBUG on")
    parser.add_argument(
        "--no-collectstatic", action="store_true", help="static files are collected"
    )
    parser.add_argument("--no-logins", action="store_true", help="print no logins")
    args = parser.parse_args(argv)

    env = child_environment(
        host=args.host, port=args.port, dev=args.dev, environ=os.environ
    )
    if not args.dev and not args.no_collectstatic:
        manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(manage, cwd=ROOT, env=env, check=True)

    launcher = Launcher(host=args.host, port=args.port, dev=args.dev, env=env)

    def on_signal(signum, frame):
        launcher.stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    launcher.start()
    try:
        if launcher.wait(launcher.port_open, timeout=120):
            launcher.wait(launcher.quiet, timeout=QUIET_AT_MOST_SECONDS)
            if not launcher.stopping.is_set() and not launcher.dead():
                banner(args, env)
                if not args.no_logins:
                    print_logins(env)
        while not launcher.stopping.is_set() and not launcher.dead():
            time.sleep(0.2)
        failed = launcher.dead() if not launcher.stopping.is_set() else []
    finally:
        launcher.stop()
    if failed:
        print(f"stopped: {', '.join(failed)} exited", file=sys.stderr)
        return 1
    print("stopped web, worker and beat", flush=True)
    return 0


def mail_folder(env: dict) -> str:
    if env.get("DJANGO_EMAIL_BACKEND") != FILE_MAIL:
        return ""
    folder = env.get("LMS_EMAIL_FILE_PATH") or var_dir(env) / "mail"
    return f"\n  e-mails are written to {folder}/"


def banner(args, env: dict) -> None:
    url = f"http://{args.host}:{args.port}/"
    mode = (
        "development: runserver, DEBUG on (Django's debug pages)"
        if args.dev
        else "gunicorn, DEBUG off (the product's own error pages)"
    )
    print(
        f"\n  心训 LMS is running at {url}  ({mode})"
        f"\n  links in e-mails: {env['LMS_BASE_URL']}"
        f"{mail_folder(env)}"
        "\n  Ctrl-C stops web, worker and beat.\n",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
