"""Small clips, and things posing as clips, for the video tests.

Each helper writes one file into ``folder`` and returns its path.  They use
nothing but the ``ffmpeg`` binary (through ``courses.testsources``), each in well
under two seconds.
"""

import subprocess
from pathlib import Path

from courses.testsources import make_test_clip


def _ffmpeg(*args: str) -> None:
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def h264_mp4(
    folder: Path,
    seconds: float = 2,
    size: str = "640x360",
    fps: float = 25,
    audio: bool = True,
    faststart: bool = False,
) -> Path:
    """H.264/AAC in MP4, by default with its index (moov) after the media."""
    return make_test_clip(
        folder / "h264.mp4",
        seconds=seconds,
        size=size,
        fps=fps,
        acodec="aac" if audio else None,
        container_args=["-movflags", "+faststart"] if faststart else [],
    )


def h264_no_audio_mp4(folder: Path) -> Path:
    return h264_mp4(folder, audio=False)


def hevc_mov_portrait(folder: Path) -> Path:
    """A phone-style portrait clip: 640x360 HEVC frames shown turned upright.

    ffmpeg 5.1 keeps a ``rotate`` tag only when stream-copying (it drops it
    when encoding), so the clip is encoded first and tagged in a remux.  ffmpeg
    writes ``rotate=90`` as a display matrix that turns the picture a quarter
    counter-clockwise; either way it displays as 360x640.
    """
    landscape = make_test_clip(
        folder / "landscape.mov",
        vcodec="libx265",
        video_args=["-tag:v", "hvc1"],
    )
    portrait = folder / "portrait.mov"
    _ffmpeg(
        *("-i", str(landscape), "-c", "copy", "-metadata:s:v:0", "rotate=90"),
        str(portrait),
    )
    landscape.unlink()
    return portrait


def anamorphic_mp4(folder: Path) -> Path:
    """PAL-style 720x576 frames with 16:15 pixels: shown as 768x576."""
    return make_test_clip(
        folder / "anamorphic.mp4", size="720x576", video_args=["-vf", "setsar=16/15"]
    )


def vp9_opus_webm(folder: Path) -> Path:
    return make_test_clip(folder / "clip.webm", vcodec="libvpx-vp9", acodec="libopus")


def mpeg4_mp3_avi(folder: Path) -> Path:
    return make_test_clip(
        folder / "clip.avi", vcodec="mpeg4", pix_fmt=None, acodec="libmp3lame"
    )


def uhd_60fps(folder: Path) -> Path:
    """One second of 3840x2160 at 60 fps, silent."""
    return make_test_clip(
        folder / "uhd.mp4", seconds=1, size="3840x2160", fps=60, acodec=None
    )


def long_clip(folder: Path, seconds: float = 310) -> Path:
    """Tiny and slow (64x36, 1 fps) so that minutes of it take no time to make."""
    return make_test_clip(
        folder / "long.mp4",
        seconds=seconds,
        size="64x36",
        fps=1,
        source="testsrc",
        acodec=None,
    )


def audio_only_m4a(folder: Path) -> Path:
    return make_test_clip(folder / "sound.m4a", vcodec=None)


def mp3_with_cover_art(folder: Path) -> Path:
    """An MP3 whose cover picture ffprobe lists as a (1-frame) video stream."""
    cover = folder / "cover.jpg"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x320", "-frames:v", "1", str(cover))
    song = folder / "song.mp3"
    _ffmpeg(
        *("-f", "lavfi", "-t", "2", "-i", "sine=frequency=440", "-i", str(cover)),
        *("-map", "0", "-map", "1", "-c:a", "libmp3lame", "-c:v", "copy"),
        *("-disposition:v:0", "attached_pic", str(song)),
    )
    return song


def truncated_mp4(folder: Path) -> Path:
    """The first half of an MP4 whose index (moov) was at the end: now gone."""
    return _first_half(h264_mp4(folder), folder / "truncated.mp4")


def truncated_faststart_mp4(folder: Path) -> Path:
    """The first half of a faststart MP4: the index promises twice the media."""
    return _first_half(h264_mp4(folder, faststart=True), folder / "truncated.mp4")


def _first_half(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    source.unlink()
    return target


def h264_elementary_stream(folder: Path) -> Path:
    """Bare H.264 with no container, hence no timing: it has no duration."""
    return make_test_clip(
        folder / "bare.h264", acodec=None, container_args=["-f", "h264"]
    )


def text_as_mp4(folder: Path) -> Path:
    path = folder / "notes.mp4"
    path.write_text("Lesson notes\nBring a pen.\n", encoding="utf-8")
    return path


def html_as_mp4(folder: Path) -> Path:
    path = folder / "page.mp4"
    path.write_text(
        "<!DOCTYPE html>\n<html><head><title>Lesson</title></head>"
        "<body><video src='x.mp4'></video></body></html>\n",
        encoding="utf-8",
    )
    return path


def png_as_mp4(folder: Path) -> Path:
    path = folder / "picture.mp4"
    _ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1"),
        *("-f", "image2", "-c:v", "png", str(path)),
    )
    return path


def empty_mp4(folder: Path) -> Path:
    path = folder / "empty.mp4"
    path.touch()
    return path


def hls_playlist(folder: Path, target: Path) -> Path:
    """An HLS playlist (named .mp4) whose one segment is another local file."""
    path = folder / "playlist.mp4"
    path.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:5\n"
        f"#EXTINF:2.0,\n{target.resolve()}\n#EXT-X-ENDLIST\n",
        encoding="utf-8",
    )
    return path


def ffconcat_list(folder: Path, target: Path) -> Path:
    """An ffconcat script (named .mp4) naming another file in its folder."""
    path = folder / "list.mp4"
    path.write_text(f"ffconcat version 1.0\nfile {target.name}\n", encoding="utf-8")
    return path
