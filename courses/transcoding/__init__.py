"""Check uploaded videos with ffprobe and make web renditions with ffmpeg.

No ORM here: limits arrive as arguments and files as paths, so a task, a
management command or a benchmark can call it alike.

Two lines of defence keep a crafted upload from making ffmpeg read anything but
the file itself: every ffprobe/ffmpeg input is opened as ``file:<absolute
path>`` with ``-protocol_whitelist file`` (no ``concat:``, http, pipes), and with
``-format_whitelist`` naming the container demuxers we accept, because the
``hls``, ``dash`` and ``concat`` demuxers would otherwise follow a playlist to
other local files through the permitted ``file`` protocol.

Nothing a header says is trusted: ``probe`` reads where the last packet
really ends and decodes a frame before a file is accepted, and every command
is cut at the length limit (``-t``) and given a time budget that follows the
video's real length.
"""

from .commands import build_commands
from .probing import (
    Probe,
    TranscodeFailed,
    VideoRefused,
    format_duration,
    format_size,
)
from .runner import Renditions, make_low_rendition, make_renditions, time_budget
from .validation import probe

__all__ = [
    "Probe",
    "Renditions",
    "TranscodeFailed",
    "VideoRefused",
    "build_commands",
    "format_duration",
    "format_size",
    "make_low_rendition",
    "make_renditions",
    "probe",
    "time_budget",
]
