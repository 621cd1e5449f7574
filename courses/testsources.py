"""Synthetic video clips made from ffmpeg's built-in test sources.

Used by the tests, the benchmarks and the demo data, so it needs nothing but the
``ffmpeg`` binary: a moving test pattern (``testsrc2``) and, when asked, a sine
tone.  No Django, no ORM.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

# Fast settings per encoder: test clips should take well under a second to make.
_FAST_ENCODER_ARGS = {
    "libx264": ["-preset", "ultrafast"],
    "libx265": ["-preset", "ultrafast", "-x265-params", "log-level=error"],
    "libvpx-vp9": ["-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"],
    "libvpx": ["-deadline", "realtime", "-cpu-used", "8"],
}


def make_test_clip(
    path: str | os.PathLike,
    *,
    seconds: float = 2,
    size: str = "640x360",
    fps: float = 25,
    vcodec: str | None = "libx264",
    acodec: str | None = "aac",
    pix_fmt: str | None = "yuv420p",
    source: str = "testsrc2",
    video_args: Sequence[str] = (),
    audio_args: Sequence[str] = (),
    container_args: Sequence[str] = (),
    timeout: float = 120,
) -> Path:
    """Write a clip of a moving test pattern (and a 440 Hz tone) to ``path``.

    ``vcodec=None`` makes an audio-only file, ``acodec=None`` a silent one.  The
    container follows the file extension unless ``container_args`` says
    ``-f ...``; ``video_args``/``audio_args``/``container_args`` are passed to the
    output as they are (e.g. ``["-movflags", "+faststart"]``).  Overwrites an
    existing file and raises ``subprocess.CalledProcessError`` when ffmpeg fails.
    """
    path = Path(path)
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    if vcodec:
        argv += ["-f", "lavfi", "-i", f"{source}=size={size}:rate={fps}"]
    if acodec:
        argv += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    argv += ["-t", str(seconds)]
    if vcodec:
        argv += ["-c:v", vcodec, *_FAST_ENCODER_ARGS.get(vcodec, [])]
        if pix_fmt:
            argv += ["-pix_fmt", pix_fmt]
        argv += list(video_args)
    if acodec:
        argv += ["-c:a", acodec, *audio_args]
    argv += [*container_args, str(path)]
    subprocess.run(argv, check=True, capture_output=True, timeout=timeout)
    return path
