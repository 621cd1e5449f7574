"""Who holds a video's processing lease, and whether that process lives.

A lease holder is written ``host:pid:token``.  On this host a dead process
id (or our own id without the claim running) means the work was lost; on
another host we cannot tell and rely on the lease's expiry.  No ORM here.
"""

import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Iterator

# Claims held by this process, so a redelivery to the same process can
# tell its own running claim from one left by a process that died.
_RUNNING: set[str] = set()
_RUNNING_LOCK = threading.Lock()


class LeaseHeld(Exception):
    """Another live worker is processing the video; try again later."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_alive(holder: str) -> bool:
    """Whether the process named in a lease may still be working on it."""
    try:
        host, pid, _token = holder.rsplit(":", 2)
        pid = int(pid)
    except ValueError:
        return False
    if host != socket.gethostname():
        return True
    if pid == os.getpid():
        with _RUNNING_LOCK:
            return holder in _RUNNING
    return pid_alive(pid)


@contextlib.contextmanager
def running(holder: str) -> Iterator[None]:
    """Mark ``holder``'s claim as being worked on by this process."""
    with _RUNNING_LOCK:
        _RUNNING.add(holder)
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(holder)
