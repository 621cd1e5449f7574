"""Running ffmpeg: low priority, a time limit, dying with its worker, and checking what it made."""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .commands import build_commands, low_command
from .probing import (
    STDERR_TAIL_BYTES,
    Probe,
    TranscodeFailed,
    VideoRefused,
    _timed_out,
    damaged_sentence,
    ffprobe_json,
    probe_describe,
)

_PR_SET_PDEATHSIG = 1
#: The least time ffmpeg gets, however short the video: starting up, the
#: poster, the faststart rewrite.
MIN_BUDGET_SECONDS = 60
# Looked up in the parent: a forked child must not dlopen (it may deadlock).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


@dataclass(frozen=True)
class Renditions:
    """The files made from one upload, all inside the ``out_dir`` given."""

    main: Path
    low: Path | None
    poster: Path
    duration: float
    width: int
    height: int
    remuxed: bool


def time_budget(duration: float, *, per_second: float, ceiling: float) -> float:
    """Seconds ffmpeg may run on a video of ``duration`` seconds.

    ``per_second`` seconds of work per second of video, at least
    ``MIN_BUDGET_SECONDS``, never more than ``ceiling``: a 3-second clip that
    hangs ffmpeg holds a worker for a minute, not for the ceiling.
    """
    return min(ceiling, max(MIN_BUDGET_SECONDS, per_second * duration))


def make_renditions(
    src: str | os.PathLike,
    info: Probe,
    *,
    out_dir: Path,
    timeout: float,
    low: bool = True,
    max_seconds: float | None = None,
    nice: int = 10,
    on_tick: Callable[[], None] | None = None,
    tick_seconds: float = 15,
) -> Renditions:
    """Write ``main.mp4``, ``poster.jpg`` and (if ``low``) ``low.mp4`` to ``out_dir``.

    ``info`` is ``probe(src)``'s answer.  The renditions stop at
    ``max_seconds`` whatever the file's timestamps say.  ffmpeg runs at
    ``nice`` and dies with the calling thread; ``on_tick`` is called about
    every ``tick_seconds`` while it runs (to renew a lease), and an exception
    from it stops ffmpeg.  Raises ``TranscodeFailed`` when ffmpeg fails, a file
    is missing, the main rendition comes out clearly shorter than the source (a
    truncated upload), or the whole job outlives ``timeout`` seconds; the
    files named above are then removed.
    """
    out_dir = Path(out_dir)
    outputs = [out_dir / "main.mp4", out_dir / "poster.jpg"]
    if low:
        outputs.append(out_dir / "low.mp4")
    deadline = time.monotonic() + timeout
    try:
        commands = build_commands(src, info, out_dir, low, max_seconds=max_seconds)
        for argv in commands:
            _run(
                argv,
                timeout=deadline - time.monotonic(),
                nice=nice,
                on_tick=on_tick,
                tick_seconds=tick_seconds,
            )
        main = _check_outputs(outputs, info, max_seconds)
    except BaseException:
        for path in outputs:
            path.unlink(missing_ok=True)
        raise
    return Renditions(
        main=outputs[0],
        low=outputs[2] if low else None,
        poster=outputs[1],
        duration=main.duration,
        width=main.width,
        height=main.height,
        remuxed=info.is_web_ready,
    )


def make_low_rendition(
    src: str | os.PathLike,
    info: Probe,
    *,
    out_path: Path,
    timeout: float,
    max_seconds: float | None = None,
    nice: int = 10,
    on_tick: Callable[[], None] | None = None,
    tick_seconds: float = 15,
) -> Path:
    """Encode the 360p rendition alone (after a remux made the main one).

    Same running rules and errors as ``make_renditions``; a failed run leaves
    no file at ``out_path``.
    """
    out_path = Path(out_path)
    try:
        _run(
            low_command(src, info, out_path, max_seconds),
            timeout=timeout,
            nice=nice,
            on_tick=on_tick,
            tick_seconds=tick_seconds,
        )
        _check_outputs([out_path], info, max_seconds)
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise
    return out_path


def _check_outputs(
    paths: list[Path], source: Probe, max_seconds: float | None = None
) -> Probe:
    """Probe the first output; refuse missing files and truncated results."""
    missing = [
        path.name for path in paths if not path.is_file() or not path.stat().st_size
    ]
    if missing:
        raise TranscodeFailed(
            damaged_sentence(), detail=f"ffmpeg wrote no {', '.join(missing)}"
        )
    try:
        description, _log = ffprobe_json(paths[0], timeout=30)
        made = probe_describe(paths[0], description, paths[0].stat().st_size)
    except VideoRefused as exc:
        raise TranscodeFailed(
            damaged_sentence(), detail=f"output refused: {exc.code}"
        ) from None
    # A file cut short but with its index up front probes fine and encodes
    # "successfully" to the part that is there.
    expected = source.duration
    if max_seconds is not None:
        expected = min(expected, max_seconds)
    if expected - made.duration > max(0.5, expected / 10):
        detail = f"output lasts {made.duration:.2f} s of {expected:.2f} s"
        raise TranscodeFailed(damaged_sentence(), detail=detail)
    return made


def _child_setup(*, nice: int) -> Callable[[], None]:
    parent = os.getpid()

    def setup() -> None:
        if nice > 0:
            os.nice(nice)
        if _prctl is not None:
            # Die with the worker even if it is SIGKILLed; if it already died
            # between fork and here, there is no one left to wait for us.
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGKILL)

    return setup


def _run(
    argv: list[str],
    *,
    timeout: float,
    nice: int,
    on_tick: Callable[[], None] | None,
    tick_seconds: float,
) -> None:
    """Run ffmpeg, calling ``on_tick`` now and then, killing it at ``timeout``.

    PR_SET_PDEATHSIG follows the *thread* that forked: call this from a thread
    that outlives the call (it does, as it waits here).
    """
    start = time.monotonic()
    deadline = start + max(0.0, timeout)
    next_tick = start + tick_seconds if on_tick else math.inf
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_child_setup(nice=nice),
    )
    stderr = _StderrTail(process.stderr)
    try:
        while process.poll() is None:
            now = time.monotonic()
            if now >= deadline:
                process.kill()
                process.wait()
                stderr.join()
                detail = f"ffmpeg ran over {timeout:.1f} s\n{stderr.text}"
                raise TranscodeFailed(_timed_out(), detail=detail, timed_out=True)
            if now >= next_tick:
                on_tick()
                next_tick = now + tick_seconds
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=min(deadline, next_tick) - now)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stderr.join()
    if process.returncode != 0:
        raise TranscodeFailed(damaged_sentence(), detail=stderr.text)


class _StderrTail(threading.Thread):
    """Drain a pipe (so a chatty ffmpeg never blocks) keeping its last bytes."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.data = b""
        self.start()

    def run(self) -> None:
        with self.pipe:
            for chunk in iter(lambda: self.pipe.read1(65536), b""):
                self.data = (self.data + chunk)[-STDERR_TAIL_BYTES:]

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")
