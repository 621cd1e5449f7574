"""ffprobe: describe a file as its header tells it; the errors every part raises.

What the header says is the uploader's word; ``validation.probe`` checks it
against what the file really holds before anything is accepted.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from django.utils.translation import gettext as _

STDERR_TAIL_BYTES = 4096
MAIN_BOX = (1280, 720)  # landscape; portrait videos fit the transposed box
LOW_BOX = (640, 360)
MAX_OUTPUT_FPS = 30
MAX_WEB_READY_FPS = 60

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


class VideoRefused(Exception):
    """An upload that is not an acceptable video.

    ``code`` is a short slug (``empty``, ``too_large``, ``not_video``,
    ``audio_only``, ``damaged``, ``no_duration``, ``too_long``, ``image``,
    ``too_big``, ``too_heavy``, ``bad_timing``, ``undecodable``); ``message`` a
    whole sentence in the active language for the uploader.
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
            and fit_within(self.width, self.height, MAIN_BOX) == self.display_size
            and self.audio_codec in (None, "aac")
            and 0 < self.fps <= MAX_WEB_READY_FPS
        )


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


def ffprobe_json(
    path: Path, *, timeout: float, max_pixels: int | None = None
) -> tuple[dict, str]:
    """ffprobe's JSON description of ``path``, and its warnings.

    ``max_pixels`` stops the decoders ffprobe runs to fill in what the header
    leaves out from allocating a larger picture: they log "Picture size WxH"
    and leave the size unset instead.
    """
    # ffmpeg-python 0.2's probe() has no timeout (a timeout= keyword would be
    # passed to ffprobe as "-timeout"), so the argv is run here.  No nice and no
    # death signal: it is short, and may run in a threaded web process, where
    # a preexec_fn is unsafe.
    argv = [
        "ffprobe",
        *("-v", "warning", "-hide_banner"),
        *("-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST),
        *(("-max_pixels", str(max_pixels)) if max_pixels else ()),
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
    return json.loads(done.stdout), _tail(done.stderr)


def _unreadable(path: Path, stderr: str) -> VideoRefused:
    with path.open("rb") as file:
        head = file.read(12)
    looks_like_container = head[4:8] in _BOX_TYPES or head.startswith(_MAGIC)
    broken = "moov atom not found" in stderr or "Invalid data found" in stderr
    if broken and looks_like_container:
        return VideoRefused("damaged", _("The file is damaged or incomplete."))
    return VideoRefused("not_video", _("This is not a video file."))


def main_streams(data: dict) -> tuple[dict | None, dict | None]:
    """The streams the commands use: ffmpeg's ``V:0`` (the first video that is
    not a cover picture) and ``a:0``, as ffprobe describes them."""
    streams = data.get("streams", [])
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        and not s.get("disposition", {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    return (videos[0] if videos else None), (audios[0] if audios else None)


def probe_describe(path: Path, data: dict, size: int) -> Probe:
    """Refuse what is not a video (but for length) and build the ``Probe``.

    ``duration`` is the header's, 0 when it gives none.
    """
    fmt = data.get("format", {})
    format_names = tuple(fmt.get("format_name", "").split(","))
    video, audio = main_streams(data)
    one_still = (
        video
        and video.get("codec_name") in STILL_IMAGE_CODECS
        and _number(video.get("nb_frames")) == 1
    )
    if IMAGE_FORMATS.intersection(format_names) or one_still:
        raise VideoRefused("image", _("This is a picture, not a video."))
    if not (VIDEO_FORMATS | AUDIO_FORMATS).intersection(format_names):
        raise VideoRefused("not_video", _("This is not a video file."))
    if not video and audio:
        message = _("The file has only an audio track, no picture.")
        raise VideoRefused("audio_only", message)
    if not video:
        raise VideoRefused("not_video", _("This is not a video file."))
    duration = _number(fmt.get("duration")) or _number(video.get("duration")) or 0
    coded_width, coded_height = int(video.get("width", 0)), int(video.get("height", 0))
    if not coded_width or not coded_height:  # no frame ffprobe could parse
        raise VideoRefused("damaged", _("The file is damaged or incomplete."))
    rotation = _rotation(video)
    width = coded_width
    sar = _ratio(video.get("sample_aspect_ratio"))
    if sar and sar != 1:
        width = max(1, round(coded_width * sar))
    height = coded_height
    if rotation in (90, 270):
        width, height = height, width
    audio = audio or {}
    return Probe(
        format_names=format_names,
        duration=max(0.0, float(duration)),
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


def fit_within(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The even size that fits ``box`` (transposed for portrait), never larger."""
    box_w, box_h = box if width >= height else box[::-1]
    scale = min(1.0, box_w / width, box_h / height)
    return (
        max(2, round(width * scale / 2) * 2),
        max(2, round(height * scale / 2) * 2),
    )


def _timed_out() -> str:
    return _("Processing the video took too long and was stopped.")


def damaged_sentence() -> str:
    return _("The video could not be processed; the file may be damaged.")


def _input_url(path: str | os.PathLike) -> str:
    # "file:" + absolute path: no name (say "concat:a|b") is read as a protocol.
    return "file:" + os.path.abspath(path)


def _tail(data: bytes) -> str:
    return data[-STDERR_TAIL_BYTES:].decode("utf-8", "replace")
