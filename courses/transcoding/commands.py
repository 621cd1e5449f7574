"""The ffmpeg command lines, built with ffmpeg-python's filter graph."""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg

from .probing import (
    FORMAT_WHITELIST,
    LOW_BOX,
    MAIN_BOX,
    MAX_OUTPUT_FPS,
    Probe,
    _input_url,
    fit_within,
)


def _input(src: str | os.PathLike, **options) -> ffmpeg.nodes.FilterableStream:
    options = {key: value for key, value in options.items() if value is not None}
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


def _cut(max_seconds: float | None) -> dict:
    """Output options that stop a rendition at the length limit."""
    return {} if max_seconds is None else {"t": max_seconds}


def _transcode_command(
    src, info: Probe, out_dir: Path, low: bool, max_seconds: float | None
) -> list[str]:
    """One decode, split three ways: main, low (optional) and the poster."""
    main_size = fit_within(info.width, info.height, MAIN_BOX)
    # -t on the input stops reading at the limit; on each output, whatever
    # the timestamps do in between.
    source = _input(src, t=max_seconds)
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
            **_cut(max_seconds),
        )
    ]
    if low:
        low_size = fit_within(*main_size, LOW_BOX)
        low_video = branches[2].filter("scale", *low_size).filter("setsar", 1)
        outputs.append(
            ffmpeg.output(
                low_video,
                *audio,
                str(out_dir / "low.mp4"),
                **_x264(),
                **(_aac("96k") if audio else {}),
                **_cut(max_seconds),
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


def _remux_command(
    src, info: Probe, out_dir: Path, max_seconds: float | None
) -> list[str]:
    """Stream copy to a faststart MP4, plus a poster from a fast seek."""
    source = _input(src, t=max_seconds)
    audio = [source["a:0"]] if info.audio_codec else []
    main = ffmpeg.output(
        source["V:0"],
        *audio,
        str(out_dir / "main.mp4"),
        c="copy",
        movflags="+faststart",
        map_metadata=-1,
        map_chapters=-1,
        **_cut(max_seconds),
    )
    # -t: without it ffmpeg would decode this input to the end after the poster.
    window = round(max(0.5, 3 / info.fps), 3)
    seek = _input(src, ss=_poster_time(info), t=window)
    picture = seek["V:0"].filter("scale", *info.display_size).filter("setsar", 1)
    return _compile(ffmpeg.merge_outputs(main, _poster_output(picture, out_dir)))


def low_command(
    src, info: Probe, out_path: Path, max_seconds: float | None = None
) -> list[str]:
    source = _input(src, t=max_seconds)
    size = fit_within(*fit_within(info.width, info.height, MAIN_BOX), LOW_BOX)
    video = source["V:0"].filter("scale", *size).filter("setsar", 1)
    audio = [source["a:0"]] if info.audio_codec else []
    return _compile(
        ffmpeg.output(
            video,
            *audio,
            str(out_path),
            **_x264(),
            **(_aac("96k") if audio else {}),
            **_cut(max_seconds),
        )
    )


def build_commands(
    src: str | os.PathLike,
    info: Probe,
    out_dir: Path,
    low: bool,
    *,
    max_seconds: float | None = None,
) -> list[list[str]]:
    """The ffmpeg argv lists ``make_renditions`` runs, in order.

    A web-ready upload is remuxed (``-c copy``) with its poster in one process,
    then encoded once more for the low rendition; anything else is one
    transcode that writes all three files.  With ``max_seconds``, input and
    outputs stop there, whatever the file's timestamps say.
    """
    out_dir = Path(out_dir)
    if info.is_web_ready:
        commands = [_remux_command(src, info, out_dir, max_seconds)]
        if low:
            commands.append(low_command(src, info, out_dir / "low.mp4", max_seconds))
        return commands
    return [_transcode_command(src, info, out_dir, low, max_seconds)]
