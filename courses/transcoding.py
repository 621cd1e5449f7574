"""Check uploaded videos with ffprobe and make web renditions with ffmpeg.

No ORM here: limits arrive as arguments and files as paths, so a task, a
management command or a benchmark can call it alike.

Two lines of defence keep a crafted upload from making ffmpeg read anything but
the file itself: every ffprobe/ffmpeg input is opened as ``file:<absolute
path>`` with ``-protocol_whitelist file`` (no ``concat:``, http, pipes), and with
``-format_whitelist`` naming the container demuxers we accept, because the
``hls``, ``dash`` and ``concat`` demuxers would otherwise follow a playlist to
other local files through the permitted ``file`` protocol.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import ffmpeg
from django.utils.translation import gettext as _

MAIN_BOX = (1280, 720)  # landscape; portrait videos fit the transposed box
LOW_BOX = (640, 360)
MAX_OUTPUT_FPS = 30
MAX_WEB_READY_FPS = 60
STDERR_TAIL_BYTES = 4096

# Demuxer names, written as ffmpeg spells them in -format_whitelist.
VIDEO_FORMATS = frozenset(
    "mov mp4 matroska webm avi flv mpegts mpeg asf ogg dv mxf rm nut wtv "  # noqa: SIM905
    "h264 hevc m4v ivf yuv4mpegpipe".split()
)
AUDIO_FORMATS = frozenset("mp3 wav aac flac amr aiff w64 caf".split())  # noqa: SIM905
# Pictures are let through ffprobe only to be refused with their own reason.
IMAGE_FORMATS = frozenset(
    "image2 gif apng bmp_pipe gif_pipe j2k_pipe jpeg_pipe jpegls_pipe "  # noqa: SIM905
    "jpegxl_pipe png_pipe psd_pipe qoi_pipe svg_pipe tiff_pipe webp_pipe".split()
)
FORMAT_WHITELIST = ",".join(sorted(VIDEO_FORMATS | AUDIO_FORMATS | IMAGE_FORMATS))
STILL_IMAGE_CODECS = frozenset(
    "png mjpeg jpeg2000 jpegls jpegxl bmp gif webp tiff qoi svg".split()  # noqa: SIM905
)
# First bytes of containers whose truncation ffprobe reports as invalid data.
_BOX_TYPES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")
_MAGIC = (b"\x1a\x45\xdf\xa3", b"RIFF")

_PR_SET_PDEATHSIG = 1
# Looked up in the parent: a forked child must not dlopen (it may deadlock).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


class VideoRefused(Exception):
    """An upload that is not an acceptable video.

    ``code`` is a short slug (``empty``, ``too_large``, ``not_video``,
    ``audio_only``, ``damaged``, ``no_duration``, ``too_long``, ``image``);
    ``message`` a whole sentence in the active language for the uploader.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class TranscodeFailed(Exception):
    """ffprobe or ffmpeg failed or ran out of time on a file that looked fine.

    ``message`` is a sentence for the uploader; ``detail`` the tail of the
    tool's stderr, for the logs; ``timed_out`` tells a timeout from a failure.
    """

    def __init__(self, message: str, detail: str = "", *, timed_out: bool = False):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.timed_out = timed_out


@dataclass(frozen=True)
class Probe:
    """What ffprobe says about an acceptable video.

    ``width``/``height`` are as displayed: after the rotation and the sample
    aspect ratio.  ``coded_width``/``coded_height`` are the decoded picture's
    size before either (ffprobe's ``width``/``height``, not its macroblock-padded
    ``coded_width``).  ``rotation`` is the clockwise turn, 0/90/180/270, that the
    player applies.  The mov demuxer names every ISO-BMFF file
    ``mov,mp4,m4a,3gp,3g2,mj2``, so a QuickTime ``.mov`` counts as mp4 here; the
    remux writes an ``.mp4`` anyway.
    """

    format_names: tuple[str, ...]
    duration: float
    size: int
    video_codec: str
    width: int
    height: int
    coded_width: int
    coded_height: int
    pix_fmt: str
    rotation: int
    fps: float
    audio_codec: str | None
    audio_channels: int

    @property
    def display_size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def is_web_ready(self) -> bool:
        """True when a stream copy into a faststart MP4 plays in every browser."""
        shown = (self.coded_height, self.coded_width)
        if self.rotation in (0, 180):
            shown = (self.coded_width, self.coded_height)
        return (
            "mp4" in self.format_names
            and self.video_codec == "h264"
            and self.pix_fmt == "yuv420p"
            and self.rotation == 0
            and shown == self.display_size  # square pixels
            and _fit(self.width, self.height, MAIN_BOX) == self.display_size
            and self.audio_codec in (None, "aac")
            and 0 < self.fps <= MAX_WEB_READY_FPS
        )


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


def format_duration(seconds: float) -> str:
    """Whole seconds as ``m:ss`` (``5:30``), or ``h:mm:ss`` from an hour up."""
    total = int(seconds + 0.5)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_size(num_bytes: int) -> str:
    """A size in binary units with the usual labels: 1073741824 is ``1 GB``.

    Binary, as Windows shows file sizes, so the default 1 GiB limit reads as a
    round ``1 GB``.  One decimal below 100 (``1.2 GB``), none above (``300 MB``).
    """
    if num_bytes < 1024:
        return f"{num_bytes} B"
    value = float(num_bytes)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        text = f"{value:.1f}" if value < 99.95 else f"{value:.0f}"
        if float(text) < 1024 or unit == "TB":
            return f"{text.removesuffix('.0')} {unit}"
    raise AssertionError("unreachable")


def probe(
    path: str | os.PathLike, *, max_seconds: float, max_bytes: int, timeout: float = 30
) -> Probe:
    """Check that ``path`` is a video within the limits and describe it.

    Raises ``VideoRefused`` with its own code and sentence for each reason, in
    the order: empty, too large, unreadable, picture, audio only, no picture
    and no sound, no duration, too long.  The file's content decides, never its
    name.  Raises ``TranscodeFailed`` if ffprobe itself runs out of ``timeout``.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise VideoRefused("empty", _("The file is empty."))
    if size > max_bytes:
        message = _("The file is %(size)s, over the limit of %(limit)s.") % {
            "size": format_size(size),
            "limit": format_size(max_bytes),
        }
        raise VideoRefused("too_large", message)
    info = _describe(path, _ffprobe(path, timeout=timeout), size)
    if info.duration > max_seconds:
        message = _("The video is %(duration)s long, over the limit of %(limit)s.")
        raise VideoRefused(
            "too_long",
            message
            % {
                # Rounded up, so 300.4 s never reads as "5:00, over 5:00".
                "duration": format_duration(math.ceil(info.duration)),
                "limit": format_duration(max_seconds),
            },
        )
    return info


def _ffprobe(path: Path, *, timeout: float) -> dict:
    # ffmpeg-python 0.2's probe() has no timeout (a timeout= keyword would be
    # passed to ffprobe as "-timeout"), so the argv is run here.  No nice and no
    # death signal: it is short, and may run in a threaded web process, where
    # a preexec_fn is unsafe.
    argv = [
        "ffprobe",
        *("-v", "error", "-hide_banner"),
        *("-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST),
        *("-show_format", "-show_streams", "-of", "json"),
        _input_url(path),
    ]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        detail = f"ffprobe ran over {timeout} s\n{_tail(exc.stderr or b'')}"
        raise TranscodeFailed(_timed_out(), detail=detail, timed_out=True) from None
    if done.returncode != 0:
        raise _unreadable(path, _tail(done.stderr))
    return json.loads(done.stdout)


def _unreadable(path: Path, stderr: str) -> VideoRefused:
    with path.open("rb") as file:
        head = file.read(12)
    looks_like_container = head[4:8] in _BOX_TYPES or head.startswith(_MAGIC)
    broken = "moov atom not found" in stderr or "Invalid data found" in stderr
    if broken and looks_like_container:
        return VideoRefused("damaged", _("The file is damaged or incomplete."))
    return VideoRefused("not_video", _("This is not a video file."))


def _describe(path: Path, data: dict, size: int) -> Probe:
    """Refuse what is not a video (but for length) and build the ``Probe``."""
    fmt = data.get("format", {})
    format_names = tuple(fmt.get("format_name", "").split(","))
    streams = data.get("streams", [])
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        and not s.get("disposition", {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    one_still = (
        videos
        and videos[0].get("codec_name") in STILL_IMAGE_CODECS
        and _number(videos[0].get("nb_frames")) == 1
    )
    if IMAGE_FORMATS.intersection(format_names) or one_still:
        raise VideoRefused("image", _("This is a picture, not a video."))
    if not (VIDEO_FORMATS | AUDIO_FORMATS).intersection(format_names):
        raise VideoRefused("not_video", _("This is not a video file."))
    if not videos and audios:
        message = _("The file has only an audio track, no picture.")
        raise VideoRefused("audio_only", message)
    if not videos:
        raise VideoRefused("not_video", _("This is not a video file."))
    video = videos[0]
    duration = _number(fmt.get("duration")) or _number(video.get("duration"))
    if not duration or duration <= 0:
        message = _("The video has no duration; it may be damaged.")
        raise VideoRefused("no_duration", message)
    coded_width, coded_height = int(video.get("width", 0)), int(video.get("height", 0))
    if not coded_width or not coded_height:  # no frame ffprobe could parse
        raise VideoRefused("damaged", _("The file is damaged or incomplete."))
    rotation = _rotation(video)
    width = coded_width
    sar = _ratio(video.get("sample_aspect_ratio"))
    if sar and sar != 1:
        width = round(coded_width * sar)
    height = coded_height
    if rotation in (90, 270):
        width, height = height, width
    audio = audios[0] if audios else {}
    return Probe(
        format_names=format_names,
        duration=float(duration),
        size=size,
        video_codec=video.get("codec_name", ""),
        width=width,
        height=height,
        coded_width=coded_width,
        coded_height=coded_height,
        pix_fmt=video.get("pix_fmt", ""),
        rotation=rotation,
        fps=float(
            _ratio(video.get("avg_frame_rate"))
            or _ratio(video.get("r_frame_rate"))
            or 0
        ),
        audio_codec=audio.get("codec_name"),
        audio_channels=int(audio.get("channels", 0)),
    )


def _rotation(stream: dict) -> int:
    """Clockwise degrees, from the display matrix (counter-clockwise) or tag."""
    for side_data in stream.get("side_data_list", []):
        if side_data.get("side_data_type") == "Display Matrix":
            degrees = -float(side_data.get("rotation", 0))
            break
    else:
        degrees = float(stream.get("tags", {}).get("rotate", 0) or 0)
    return round(degrees / 90) * 90 % 360


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _ratio(value: str | None) -> Fraction | None:
    """``"30000/1001"`` or ``"16:15"`` as a fraction; None for 0/0 or N/A."""
    try:
        num, den = (int(part) for part in str(value).replace(":", "/").split("/"))
    except ValueError:
        return None
    return Fraction(num, den) if num > 0 and den > 0 else None


def _fit(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The even size that fits ``box`` (transposed for portrait), never larger."""
    box_w, box_h = box if width >= height else box[::-1]
    scale = min(1.0, box_w / width, box_h / height)
    return (
        max(2, round(width * scale / 2) * 2),
        max(2, round(height * scale / 2) * 2),
    )


def _input_url(path: str | os.PathLike) -> str:
    # "file:" + absolute path: no name (say "concat:a|b") is read as a protocol.
    return "file:" + os.path.abspath(path)


def _input(src: str | os.PathLike, **options) -> ffmpeg.nodes.FilterableStream:
    return ffmpeg.input(
        _input_url(src),
        protocol_whitelist="file",
        format_whitelist=FORMAT_WHITELIST,
        **options,
    )


def _poster_time(info: Probe) -> float:
    return round(min(1.0, info.duration / 10), 3)


def _x264(crf: int = 23) -> dict:
    return {
        "c:v": "libx264",
        "preset": "veryfast",
        "crf": crf,
        "profile:v": "high",
        "pix_fmt": "yuv420p",
        "fpsmax": MAX_OUTPUT_FPS,
        "movflags": "+faststart",
        "map_metadata": -1,
        "map_chapters": -1,
    }


def _aac(bitrate: str) -> dict:
    return {"c:a": "aac", "b:a": bitrate, "ac": 2}


def _compile(stream) -> list[str]:
    base = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    return ffmpeg.compile(stream, cmd=base)


def _transcode_command(src, info: Probe, out_dir: Path, low: bool) -> list[str]:
    """One decode, split three ways: main, low (optional) and the poster."""
    main_size = _fit(info.width, info.height, MAIN_BOX)
    source = _input(src)
    # ffmpeg turns rotated input upright before the graph; scaling to the
    # displayed size also squares the pixels.
    scaled = source["V:0"].filter("scale", *main_size).filter("setsar", 1)
    branches = scaled.split()
    audio = [source["a:0"]] if info.audio_codec else []
    outputs = [
        ffmpeg.output(
            branches[0],
            *audio,
            str(out_dir / "main.mp4"),
            **_x264(),
            **(_aac("128k") if audio else {}),
        )
    ]
    if low:
        low_size = _fit(*main_size, LOW_BOX)
        low_video = branches[2].filter("scale", *low_size).filter("setsar", 1)
        outputs.append(
            ffmpeg.output(
                low_video,
                *audio,
                str(out_dir / "low.mp4"),
                **_x264(),
                **(_aac("96k") if audio else {}),
            )
        )
    poster = (
        branches[1]
        .trim(start=_poster_time(info))
        .setpts("PTS-STARTPTS")
        .trim(end_frame=1)
    )
    outputs.append(_poster_output(poster, out_dir))
    return _compile(ffmpeg.merge_outputs(*outputs))


def _poster_output(stream, out_dir: Path):
    return ffmpeg.output(
        stream,
        str(out_dir / "poster.jpg"),
        **{"frames:v": 1, "q:v": 3, "update": 1, "map_metadata": -1},
    )


def _remux_command(src, info: Probe, out_dir: Path) -> list[str]:
    """Stream copy to a faststart MP4, plus a poster from a fast seek."""
    source = _input(src)
    audio = [source["a:0"]] if info.audio_codec else []
    main = ffmpeg.output(
        source["V:0"],
        *audio,
        str(out_dir / "main.mp4"),
        c="copy",
        movflags="+faststart",
        map_metadata=-1,
        map_chapters=-1,
    )
    # -t: without it ffmpeg would decode this input to the end after the poster.
    window = round(max(0.5, 3 / info.fps), 3)
    seek = _input(src, ss=_poster_time(info), t=window)
    picture = seek["V:0"].filter("scale", *info.display_size).filter("setsar", 1)
    return _compile(ffmpeg.merge_outputs(main, _poster_output(picture, out_dir)))


def _low_command(src, info: Probe, out_path: Path) -> list[str]:
    source = _input(src)
    size = _fit(*_fit(info.width, info.height, MAIN_BOX), LOW_BOX)
    video = source["V:0"].filter("scale", *size).filter("setsar", 1)
    audio = [source["a:0"]] if info.audio_codec else []
    return _compile(
        ffmpeg.output(
            video, *audio, str(out_path), **_x264(), **(_aac("96k") if audio else {})
        )
    )


def build_commands(
    src: str | os.PathLike, info: Probe, out_dir: Path, low: bool
) -> list[list[str]]:
    """The ffmpeg argv lists ``make_renditions`` runs, in order.

    A web-ready upload is remuxed (``-c copy``) with its poster in one process,
    then encoded once more for the low rendition; anything else is one
    transcode that writes all three files.
    """
    out_dir = Path(out_dir)
    if info.is_web_ready:
        commands = [_remux_command(src, info, out_dir)]
        if low:
            commands.append(_low_command(src, info, out_dir / "low.mp4"))
        return commands
    return [_transcode_command(src, info, out_dir, low)]


def make_renditions(
    src: str | os.PathLike,
    info: Probe,
    *,
    out_dir: Path,
    timeout: float,
    low: bool = True,
    nice: int = 10,
    on_tick: Callable[[], None] | None = None,
    tick_seconds: float = 15,
) -> Renditions:
    """Write ``main.mp4``, ``poster.jpg`` and (if ``low``) ``low.mp4`` to ``out_dir``.

    ``info`` is ``probe(src)``'s answer.  ffmpeg runs at ``nice`` and dies with
    the calling thread; ``on_tick`` is called about every ``tick_seconds`` while
    it runs (to renew a lease), and an exception from it stops ffmpeg.  Raises
    ``TranscodeFailed`` when ffmpeg fails, a file is missing, the main rendition
    comes out clearly shorter than the source (a truncated upload), or the whole
    job outlives ``timeout`` seconds; the files named above are then removed.
    """
    out_dir = Path(out_dir)
    outputs = [out_dir / "main.mp4", out_dir / "poster.jpg"]
    if low:
        outputs.append(out_dir / "low.mp4")
    deadline = time.monotonic() + timeout
    try:
        for argv in build_commands(src, info, out_dir, low):
            _run(
                argv,
                timeout=deadline - time.monotonic(),
                nice=nice,
                on_tick=on_tick,
                tick_seconds=tick_seconds,
            )
        main = _check_outputs(outputs, info)
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
            _low_command(src, info, out_path),
            timeout=timeout,
            nice=nice,
            on_tick=on_tick,
            tick_seconds=tick_seconds,
        )
        _check_outputs([out_path], info)
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise
    return out_path


def _check_outputs(paths: list[Path], source: Probe) -> Probe:
    """Probe the first output; refuse missing files and truncated results."""
    missing = [
        path.name for path in paths if not path.is_file() or not path.stat().st_size
    ]
    if missing:
        raise TranscodeFailed(
            _damaged(), detail=f"ffmpeg wrote no {', '.join(missing)}"
        )
    try:
        made = _describe(
            paths[0], _ffprobe(paths[0], timeout=30), paths[0].stat().st_size
        )
    except VideoRefused as exc:
        raise TranscodeFailed(
            _damaged(), detail=f"output refused: {exc.code}"
        ) from None
    # A file cut short but with its index up front probes fine and encodes
    # "successfully" to the part that is there.
    if source.duration - made.duration > max(0.5, source.duration / 10):
        detail = f"output lasts {made.duration:.2f} s of {source.duration:.2f} s"
        raise TranscodeFailed(_damaged(), detail=detail)
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
        raise TranscodeFailed(_damaged(), detail=stderr.text)


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


def _timed_out() -> str:
    return _("Processing the video took too long and was stopped.")


def _damaged() -> str:
    return _("The video could not be processed; the file may be damaged.")


def _tail(data: bytes) -> str:
    return data[-STDERR_TAIL_BYTES:].decode("utf-8", "replace")
