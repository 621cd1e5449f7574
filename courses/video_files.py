"""Where videos live, and how files get there without half-written states.

Videos use their own storage (``STORAGES["videos"]``), which has no public
URL: every byte goes out through a view that checks who is asking, and the
original upload never goes out at all.  On a local disk, renditions are
made in a work folder inside the storage and renamed into place, which is
atomic; on object storage they are uploaded whole before the database
points at them.
"""

import contextlib
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, storages

from courses.leases import pid_alive

CHUNK = 1024 * 1024


def video_storage() -> Storage:
    return storages["videos"]


def local_root(storage: Storage) -> Path | None:
    """The storage's folder on this machine, or None for remote storage."""
    try:
        return Path(storage.path(""))
    except NotImplementedError:
        return None


def _work_base(storage: Storage) -> Path:
    root = local_root(storage)
    return root / ".work" if root else Path(tempfile.gettempdir()) / "lms-video-work"


@contextlib.contextmanager
def work_dir(storage: Storage) -> Iterator[Path]:
    """A fresh folder for ffmpeg's output, removed afterwards whatever happens.

    It sits inside the storage's folder when there is one, so that moving a
    finished file into place is a rename on the same file system.  Its name
    carries the host and process, so that the folder of a process killed
    outright can be found and removed (``remove_orphaned_work``).
    """
    base = _work_base(storage)
    base.mkdir(parents=True, exist_ok=True)
    folder = base / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def local_copy(storage: Storage, name: str) -> Iterator[Path]:
    """A path on this machine holding the stored file ``name``."""
    root = local_root(storage)
    if root is not None:
        path = root / name
        if not path.exists():
            raise FileNotFoundError(name)
        yield path
        return
    with storage.open(name, "rb") as source, tempfile.NamedTemporaryFile() as copy:
        shutil.copyfileobj(source, copy, CHUNK)
        copy.flush()
        yield Path(copy.name)


@contextlib.contextmanager
def local_path_of(upload: File) -> Iterator[Path]:
    """A path on this machine holding an uploaded file, streamed to disk if
    it is still in memory (small uploads) and never read whole."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    name = getattr(upload, "name", None)
    if isinstance(upload, File) and name and os.path.isfile(name):
        yield Path(name)
        return
    with tempfile.NamedTemporaryFile() as copy:
        for chunk in upload.chunks(CHUNK):
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield Path(copy.name)


def remove_orphaned_work(storage: Storage, *, older_than: float) -> int:
    """Remove work folders left by processes that died mid-way: those of
    this host whose process is gone, and any older than ``older_than``
    seconds (no live ffmpeg runs that long: it is stopped at its timeout)."""
    base = _work_base(storage)
    if not base.exists():
        return 0
    host, removed, now = socket.gethostname(), 0, time.time()
    for folder in base.iterdir():
        owner_host, _, rest = folder.name.rpartition("-")[0].rpartition("-")
        pid = int(rest) if rest.isdigit() else None
        dead = owner_host == host and pid is not None and not pid_alive(pid)
        if dead or now - folder.stat().st_mtime > older_than:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def publish(storage: Storage, local: Path, name: str) -> str:
    """Put the finished file ``local`` at ``name``, replacing what is there."""
    root = local_root(storage)
    if root is not None:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(local, target)
        return name
    if storage.exists(name):
        storage.delete(name)
    with open(local, "rb") as handle:
        return storage.save(name, File(handle, name=os.path.basename(name)))


def delete_folder(storage: Storage, prefix: str) -> None:
    """Remove every file stored under ``prefix/``."""
    root = local_root(storage)
    if root is not None:
        shutil.rmtree(root / prefix, ignore_errors=True)
        return
    _dirs, files = storage.listdir(prefix)
    for filename in files:
        storage.delete(f"{prefix}/{filename}")
