"""Checking an upload before it is accepted: the header's word, then the file.

A header is written by whoever made the file.  A Matroska header may say 3 s
while the last frame sits ten hours in; an MP4 may declare a timescale that
packs fifty frames into twelve microseconds; a PNG frame may announce a
16000×16000 picture.  So ``probe`` checks in steps, each cheaper than the next
and each before it:

1. the file's size;
2. ffprobe's description, with its decoders told never to allocate a picture
   over ``max_dimension²`` pixels, and each side against ``max_dimension``;
3. every packet's timestamp, read without decoding, for where the streams
   the commands use really start and end and how many frames there are.  The
   whole file, not its tail: a cluster at ten hours may sit between two at
   one second.  It costs one read of the file: 0.4 s for a 5-minute 720p
   clip of 110 MB, where ffprobe's description alone takes 0.1 s;
4. one decoded video frame (and one of sound), so that a file whose pictures
   cannot be decoded is refused now rather than failing in the worker.

No ORM and no settings here: the limits arrive as arguments.
"""

from __future__ import annotations

import math
import re
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

from django.utils.translation import gettext as _

from .probing import (
    FORMAT_WHITELIST,
    Probe,
    TranscodeFailed,
    VideoRefused,
    _input_url,
    _timed_out,
    ffprobe_json,
    format_duration,
    format_size,
    main_streams,
    probe_describe,
)

#: Packets may end a little after the header says: encoder priming, the
#: length of the last frame.  Output is cut at the limit anyway (``-t``).
TIMELINE_SLACK = 0.5
#: More frames a second than any camera records: the timestamps are broken.
MAX_FRAME_RATE = 1000
#: Decoded picture allowed per second of the length limit: 4K at 60 fps.  A
#: few kilobytes of repeated frames can ask for more than a worker can decode
#: in its time budget.
MAX_PIXEL_RATE = 3840 * 2160 * 60
_PICTURE_SIZE = re.compile(r"Picture size (\d+)x(\d+)")
_INT_MAX = 2**31 - 1


def probe(
    path: str | Path,
    *,
    max_seconds: float,
    max_bytes: int,
    max_dimension: int = 8192,
    timeout: float = 30,
) -> Probe:
    """Check that ``path`` is a video within the limits and describe it.

    Raises ``VideoRefused`` with its own code and sentence for each reason:
    empty, too large, unreadable, picture, audio only, no picture and no
    sound, too big a picture, too long (by the header, then by the last
    packet), broken timestamps, shorter than the header promises
    (damaged), no duration, too many pixels, and pictures that do not decode.
    The file's content decides, never its name.  ``duration`` in the answer
    is where the last packet ends, or the header's figure if that is longer.
    Raises ``TranscodeFailed`` if ffprobe or ffmpeg runs out of ``timeout``
    (for each of its three runs).
    """
    path = Path(path)
    size = _checked_size(path, max_bytes)
    max_pixels = min(max_dimension**2, _INT_MAX)
    info, data = _described(
        path, size, max_dimension=max_dimension, max_pixels=max_pixels, timeout=timeout
    )
    if info.duration > max_seconds:
        raise _too_long(info.duration, max_seconds)
    info, frames = _timed(path, info, data, max_seconds=max_seconds, timeout=timeout)
    if frames * info.coded_width * info.coded_height > max_seconds * MAX_PIXEL_RATE:
        message = _(
            "The video holds too many pixels to process; export it at 4K and "
            "60 frames a second or less."
        )
        raise VideoRefused("too_heavy", message)
    if not _decodes(path, info, max_pixels=max_pixels, timeout=timeout):
        message = _("The video's pictures cannot be decoded; the file may be damaged.")
        raise VideoRefused("undecodable", message)
    return info


def _described(
    path: Path, size: int, *, max_dimension: int, max_pixels: int, timeout: float
) -> tuple[Probe, dict]:
    """ffprobe's description, refused if the picture is over the size limit."""
    data, log = ffprobe_json(path, timeout=timeout, max_pixels=max_pixels)
    try:
        info = probe_describe(path, data, size)
    except VideoRefused as refused:
        found = _PICTURE_SIZE.search(log)
        if refused.code != "damaged" or not found:
            raise
        # The decoder would not even allocate the picture the header asks for.
        raise _too_big(int(found[1]), int(found[2]), max_dimension) from None
    for width, height in ((info.coded_width, info.coded_height), info.display_size):
        if width > max_dimension or height > max_dimension:
            raise _too_big(width, height, max_dimension)
    return info, data


def _timed(
    path: Path, info: Probe, data: dict, *, max_seconds: float, timeout: float
) -> tuple[Probe, int]:
    """``info`` with the duration its packets show, and its number of frames."""
    video, audio = main_streams(data)
    spans = {video["index"]: _Span()}
    if audio is not None and info.audio_codec:
        spans[audio["index"]] = _Span()
    _scan_packets(path, spans, timeout=timeout)
    video_span = spans[video["index"]]
    audio_span = spans.get(audio["index"]) if audio else None
    info = _established(info, video_span, audio_span, max_seconds=max_seconds)
    return info, video_span.packets


def _checked_size(path: Path, max_bytes: int) -> int:
    size = path.stat().st_size
    if size == 0:
        raise VideoRefused("empty", _("The file is empty."))
    if size > max_bytes:
        message = _("The file is %(size)s, over the limit of %(limit)s.") % {
            "size": format_size(size),
            "limit": format_size(max_bytes),
        }
        raise VideoRefused("too_large", message)
    return size


def _too_big(width: int, height: int, limit: int) -> VideoRefused:
    message = _(
        "The picture is %(width)s×%(height)s pixels, over the limit of "
        "%(limit)s pixels a side."
    ) % {"width": width, "height": height, "limit": limit}
    return VideoRefused("too_big", message)


def _too_long(seconds: float, limit: float) -> VideoRefused:
    message = _("The video is %(duration)s long, over the limit of %(limit)s.")
    return VideoRefused(
        "too_long",
        message
        % {
            # Rounded up, so 300.4 s never reads as "5:00, over 5:00".
            "duration": format_duration(math.ceil(seconds)),
            "limit": format_duration(limit),
        },
    )


class _Span:
    """Where one stream's packets start and end, and how many there are."""

    __slots__ = ("end", "packets", "start")

    def __init__(self) -> None:
        self.start: float | None = None
        self.end: float | None = None
        self.packets = 0

    def add(self, time: float | None, length: float | None) -> None:
        self.packets += 1
        if time is None:
            return
        end = time + max(0.0, length or 0.0)
        self.start = time if self.start is None else min(self.start, time)
        self.end = end if self.end is None else max(self.end, end)

    @property
    def seconds(self) -> float:
        return 0.0 if self.start is None else self.end - self.start


def _scan_packets(path: Path, spans: dict[int, _Span], *, timeout: float) -> None:
    """Add every packet of the streams in ``spans`` to its span.

    Demuxing only, and the smallest timestamp and the largest end are kept,
    whatever the order in the file: a cluster at ten hours between two at
    one second counts.  The output is read line by line, so a file of
    millions of tiny packets costs time (bounded by ``timeout``), not memory.
    """
    argv = [
        "ffprobe",
        *("-v", "quiet", "-hide_banner"),
        *("-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST),
        *("-show_entries", "packet=stream_index,pts_time,dts_time,duration_time"),
        *("-of", "compact", _input_url(path)),
    ]
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        process.kill()

    watchdog = threading.Timer(timeout, stop)
    watchdog.start()
    try:
        with process.stdout:
            for line in process.stdout:
                _add_packet(line, spans)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.wait()
    if expired.is_set():
        detail = f"reading the packets ran over {timeout} s"
        raise TranscodeFailed(_timed_out(), detail=detail, timed_out=True)


def _add_packet(line: bytes, spans: dict[int, _Span]) -> None:
    """One ``packet|stream_index=0|pts_time=…|dts_time=…|duration_time=…``."""
    if not line.startswith(b"packet|"):
        return
    fields = dict(
        part.split(b"=", 1) for part in line.rstrip().split(b"|") if b"=" in part
    )
    try:
        span = spans.get(int(fields.get(b"stream_index", b"")))
    except ValueError:
        return
    if span is None:
        return
    time = _seconds(fields.get(b"pts_time"))
    if time is None:
        time = _seconds(fields.get(b"dts_time"))
    span.add(time, _seconds(fields.get(b"duration_time")))


def _seconds(value: bytes | None) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):  # N/A
        return None
    return number if math.isfinite(number) else None


def _established(
    info: Probe,
    video: _Span,
    audio: _Span | None,
    *,
    max_seconds: float,
) -> Probe:
    """The ``Probe`` with the duration the packets show, or a refusal."""
    if not video.packets:  # a header with nothing behind it
        raise VideoRefused("damaged", _("The file is damaged or incomplete."))
    if video.packets == 1:
        raise VideoRefused("image", _("This is a picture, not a video."))
    timed = [span for span in (video, audio) if span and span.start is not None]
    if video.start is None or not timed:
        message = _("The video has no duration; it may be damaged.")
        raise VideoRefused("no_duration", message)
    # ffmpeg moves the earliest packet of the streams it reads to zero.
    real = max(span.end for span in timed) - min(span.start for span in timed)
    if real > max_seconds + TIMELINE_SLACK:
        raise _too_long(real, max_seconds)
    if video.packets > MAX_FRAME_RATE * max(video.seconds, 1e-6):
        message = _("The video's timestamps are broken; the file may be damaged.")
        raise VideoRefused("bad_timing", message)
    header = info.duration
    if header - real > max(0.5, header / 10):
        # An index that promises more than the file holds: cut short.
        raise VideoRefused("damaged", _("The file is damaged or incomplete."))
    if real <= 0:
        message = _("The video has no duration; it may be damaged.")
        raise VideoRefused("no_duration", message)
    if audio is not None and not audio.packets:
        # A sound track with no sound in it: leave it out rather than wait
        # for a frame that never comes.
        info = replace(info, audio_codec=None, audio_channels=0)
    return replace(info, duration=max(header, real))


def _decodes(path: Path, info: Probe, *, max_pixels: int, timeout: float) -> bool:
    """True when ffmpeg decodes the first video frame (and sound frame)."""
    argv = [
        "ffmpeg",
        *("-nostdin", "-hide_banner", "-v", "quiet"),
        *("-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST),
        *("-max_pixels", str(max_pixels), "-i", _input_url(path)),
        *("-map", "0:V:0", "-frames:v", "1"),
        *(("-map", "0:a:0", "-frames:a", "1") if info.audio_codec else ()),
        *("-f", "framecrc", "-"),
    ]
    try:
        done = subprocess.run(
            argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        detail = f"decoding the first frame ran over {timeout} s"
        raise TranscodeFailed(_timed_out(), detail=detail, timed_out=True) from None
    # framecrc writes one "stream, dts, pts, duration, size, crc" line a frame.
    decoded = {
        line.split(b",", 1)[0].strip()
        for line in done.stdout.splitlines()
        if line and not line.startswith(b"#")
    }
    wanted = {b"0", b"1"} if info.audio_codec else {b"0"}
    return done.returncode == 0 and wanted <= decoded
