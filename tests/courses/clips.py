"""Small clips, and things posing as clips, for the video tests.

Each helper writes one file into ``folder`` and returns its path.  They use
nothing but the ``ffmpeg`` binary (through ``courses.testsources``), each in well
under two seconds.  The lying files at the end are patched byte by byte after
ffmpeg made them.
"""

import struct
import subprocess
import zlib
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


# Lying files: a header that says one thing and a file that holds another.
# Made from ffmpeg's test sources, then remuxed with timestamp tricks or
# patched byte by byte where ffmpeg would write the truth.


def _h264(*args: str) -> list[str]:
    return [*args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def _pattern(size: str = "160x120", fps: int = 25, seconds: float = 2) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}"]


def _patch_mkv_duration(path: Path, seconds: float) -> Path:
    """Overwrite the Segment's Duration element (an 8-byte float, in ms)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"\x44\x89\x88")
    assert at > 0, "no 8-byte Duration element"
    data[at + 3 : at + 11] = struct.pack(">d", seconds * 1000)
    path.write_bytes(data)
    return path


def header_3s_last_frame_at_10h_mkv(folder: Path) -> Path:
    """The issue's file: three seconds of frames, then five more ten hours in;
    the Matroska header says the whole thing lasts 3 s."""
    path = folder / "liar.mkv"
    _ffmpeg(
        *_pattern(seconds=3.2),
        *_h264("-vf", "setpts='if(gte(N,75),PTS+36000/TB,PTS)'"),
        *("-fps_mode", "passthrough", str(path)),
    )
    return _patch_mkv_duration(path, 3)


def sparse_timeline_mkv(folder: Path, last_at: float = 200) -> Path:
    """Header 3 s; three seconds of frames, a gap, five frames at ``last_at``."""
    path = folder / "sparse.mkv"
    gap = last_at - 3
    _ffmpeg(
        *_pattern(seconds=3.2),
        *_h264("-vf", f"setpts='if(gte(N,75),PTS+{gap}/TB,PTS)'"),
        *("-fps_mode", "passthrough", str(path)),
    )
    return _patch_mkv_duration(path, 3)


def sound_at_10h_mkv(folder: Path) -> Path:
    """Two seconds of picture; the sound (-itsoffset) starts ten hours in.
    The header is made to say 2 s."""
    path = folder / "late-sound.mkv"
    _ffmpeg(
        *_pattern(),
        *("-itsoffset", "36000", "-f", "lavfi", "-i", "sine=duration=2"),
        *_h264("-map", "0:v", "-map", "1:a"),
        *("-c:a", "aac", str(path)),
    )
    return _patch_mkv_duration(path, 2)


def jump_to_10h_and_back_ts(folder: Path) -> Path:
    """Three MPEG-TS segments joined byte for byte, the middle one written
    with -output_ts_offset 36000: 0–2 s, then 10 h, then 2–4 s."""
    parts = []
    for offset in (0, 36000, 2):
        part = folder / f"part-{offset}.ts"
        _ffmpeg(*_pattern(), *_h264("-output_ts_offset", str(offset)), str(part))
        parts.append(part)
    path = folder / "jump.ts"
    path.write_bytes(b"".join(part.read_bytes() for part in parts))
    for part in parts:
        part.unlink()
    return path


def shifted_by_10h_ts(folder: Path) -> Path:
    """Two honest seconds whose timestamps all start ten hours in."""
    path = folder / "shifted.ts"
    _ffmpeg(*_pattern(), *_h264("-output_ts_offset", "36000"), str(path))
    return path


def mp4_with_timescale(folder: Path, timescale: int) -> Path:
    """Two seconds of H.264 whose track header (mdhd) declares ``timescale``
    ticks a second: 1 makes each frame 512 s long, 2**31 - 1 makes the fifty
    frames last twelve microseconds.  The movie header still says 2 s."""
    path = folder / f"timescale-{timescale}.mp4"
    _ffmpeg(
        *_pattern(),
        *_h264("-movflags", "+faststart", "-use_editlist", "0"),
        str(path),
    )
    data = bytearray(path.read_bytes())
    at = data.find(b"mdhd")
    offset = at + 4 + 4 + (16 if data[at + 4] == 1 else 8)
    data[offset : offset + 4] = struct.pack(">I", timescale)
    path.write_bytes(data)
    return path


def png_frame_in_mkv(folder: Path) -> Path:
    """One PNG picture in a Matroska file: a picture, not a video."""
    path = folder / "still.mkv"
    _ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1"),
        *("-c:v", "png", str(path)),
    )
    return path


def html_mp4_polyglot(folder: Path) -> Path:
    """A faststart MP4's index (moov) with an HTML page where the media was:
    ffprobe describes a fine 2 s video; no frame of it decodes."""
    path = h264_mp4(folder, audio=False, faststart=True)
    data = bytearray(path.read_bytes())
    at = data.find(b"mdat")
    size = struct.unpack(">I", data[at - 4 : at])[0]
    page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"
    data[at + 4 : at - 4 + size] = (page * (size // len(page) + 1))[: size - 8]
    polyglot = folder / "polyglot.mp4"
    polyglot.write_bytes(data)
    path.unlink()
    return polyglot


def png_frames_claiming_16000_mkv(folder: Path) -> Path:
    """Tiny PNG frames whose headers (IHDR) announce 16000×16000 pixels: 768 MB
    a frame to whatever decodes them."""
    path = folder / "huge-png.mkv"
    _ffmpeg(*_pattern(size="64x64", seconds=0.2), "-c:v", "png", str(path))
    data = bytearray(path.read_bytes())
    at = data.find(b"IHDR")
    while at > 0:
        data[at + 4 : at + 12] = struct.pack(">II", 16000, 16000)
        crc = zlib.crc32(bytes(data[at : at + 17]))
        data[at + 17 : at + 21] = struct.pack(">I", crc)
        at = data.find(b"IHDR", at + 4)
    path.write_bytes(data)
    return path


def mjpeg_frames_claiming_16000_mkv(folder: Path) -> Path:
    """MJPEG frames whose SOF headers say 16000×16000 inside a Matroska track
    that says 64×64."""
    path = folder / "huge-jpeg.mkv"
    _ffmpeg(
        *_pattern(size="64x64", seconds=0.4),
        *("-c:v", "mjpeg", "-pix_fmt", "yuvj420p", str(path)),
    )
    data = bytearray(path.read_bytes())
    sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 64, 64)
    assert sof in data
    path.write_bytes(
        data.replace(sof, b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 16000, 16000))
    )
    return path


def raw_avi_claiming(
    folder: Path, width: int, height: int, *, fps: int = 8, seconds: float = 300
) -> Path:
    """A decompression bomb: 16×16 grey raw frames (256 bytes each) in an AVI
    whose headers say ``width``×``height``, so each frame asks for
    width×height bytes.  At 8192×8192, 8 fps for 5 minutes: a 680 KB file
    that decodes to 161 GB."""
    path = folder / f"raw-{width}x{height}.avi"
    _ffmpeg(
        *("-f", "lavfi", "-i", f"color=gray:size=16x16:rate={fps}:duration={seconds}"),
        *("-c:v", "rawvideo", "-pix_fmt", "gray", str(path)),
    )
    data = bytearray(path.read_bytes())
    stream_format = data.find(b"strf")  # BITMAPINFOHEADER: size, width, height
    data[stream_format + 12 : stream_format + 20] = struct.pack("<ii", width, height)
    main_header = data.find(b"avih")  # ... dwWidth, dwHeight at 32 and 36
    data[main_header + 40 : main_header + 48] = struct.pack("<II", width, height)
    path.write_bytes(data)
    return path


def mkv_with_an_empty_sound_track(folder: Path) -> Path:
    """Two seconds of picture and an AAC track without a single packet."""
    path = folder / "empty-sound.mkv"
    _ffmpeg(
        *_pattern(),
        *("-f", "lavfi", "-i", "anullsrc"),
        *_h264("-map", "0:v", "-map", "1:a", "-frames:a", "0", "-t", "2"),
        *("-c:a", "aac", str(path)),
    )
    return path
