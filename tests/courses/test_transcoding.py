"""courses.transcoding against the real ffprobe and ffmpeg, on clips made here."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import translation

from courses.transcoding import (
    Probe,
    Renditions,
    TranscodeFailed,
    VideoRefused,
    build_commands,
    format_duration,
    format_size,
    make_low_rendition,
    make_renditions,
    probe,
    time_budget,
)
from tests.courses import clips

ROOT = Path(__file__).resolve().parents[2]
GIB = 1024**3
LIMITS = {"max_seconds": 300, "max_bytes": GIB}
HEAD = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
TRANSCODED = [
    "vp9_opus_webm",
    "mpeg4_mp3_avi",
    "hevc_mov_portrait",
    "uhd_60fps",
    "anamorphic_mp4",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """``clip("vp9_opus_webm")``: that clip, made once for the module."""
    folder = tmp_path_factory.mktemp("clips")
    made = {}

    def get(name: str) -> Path:
        if name not in made:
            own = folder / name
            own.mkdir()
            made[name] = getattr(clips, name)(own)
        return made[name]

    return get


@pytest.fixture(scope="module")
def rendered(clip, tmp_path_factory):
    """``rendered("vp9_opus_webm")``: its probe and renditions, made once."""
    folder = tmp_path_factory.mktemp("renditions")
    made = {}

    def get(name: str) -> tuple[Probe, Renditions]:
        if name not in made:
            src = clip(name)
            info = probe(src, **LIMITS)
            out_dir = folder / name
            out_dir.mkdir()
            made[name] = info, make_renditions(src, info, out_dir=out_dir, timeout=60)
        return made[name]

    return get


def ffprobe(path: Path) -> dict:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json"]
        + [str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def stream(path: Path, kind: str) -> dict | None:
    found = [s for s in ffprobe(path)["streams"] if s["codec_type"] == kind]
    return found[0] if found else None


def top_level_boxes(path: Path) -> list[str]:
    """The ISO-BMFF box types at the top of ``path``, in file order."""
    boxes = []
    with path.open("rb") as file:
        while header := file.read(8):
            size, kind = int.from_bytes(header[:4], "big"), header[4:].decode()
            boxes.append(kind)
            if size == 1:
                size = int.from_bytes(file.read(8), "big") - 8
            elif size == 0:
                break
            file.seek(size - 8, os.SEEK_CUR)
    return boxes


def moov_first(path: Path) -> bool:
    boxes = top_level_boxes(path)
    return boxes.index("moov") < boxes.index("mdat")


def ffmpeg_processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("ffmpeg\0") and text in cmdline:
            found.append(int(proc.name))
    return found


def refusal(path: Path, **limits) -> VideoRefused:
    with pytest.raises(VideoRefused) as caught:
        probe(path, **{**LIMITS, **limits})
    assert caught.value.message.endswith(".")
    return caught.value


# Good inputs


@pytest.mark.parametrize("name", [*TRANSCODED, "h264_mp4", "h264_no_audio_mp4"])
def test_each_good_input_becomes_a_faststart_h264_mp4(rendered, name):
    info, made = rendered(name)
    for path in (made.main, made.low):
        video = stream(path, "video")
        assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
        assert video.get("side_data_list", []) == []  # no rotation left over
        assert video["width"] % 2 == 0 and video["height"] % 2 == 0
        assert moov_first(path)  # faststart
        audio = stream(path, "audio")
        if not info.audio_codec:
            assert audio is None
        elif made.remuxed and path == made.main:
            assert audio["codec_name"] == "aac"  # copied as it was
        else:
            assert (audio["codec_name"], audio["channels"]) == ("aac", 2)
    assert made.duration == pytest.approx(info.duration, abs=0.1)


@pytest.mark.parametrize("name", TRANSCODED)
def test_renditions_fit_their_boxes_in_the_videos_orientation(rendered, name):
    info, made = rendered(name)
    main, low = stream(made.main, "video"), stream(made.low, "video")
    portrait = info.height > info.width
    box, low_box = ((720, 1280), (360, 640)) if portrait else ((1280, 720), (640, 360))
    assert main["width"] <= box[0] and main["height"] <= box[1]
    assert low["width"] <= low_box[0] and low["height"] <= low_box[1]
    assert (main["height"] > main["width"]) == portrait
    assert (made.width, made.height) == (main["width"], main["height"])
    assert main["width"] <= info.width  # never upscaled


def test_a_rotated_phone_video_stays_portrait_without_rotation_left(rendered):
    info, made = rendered("hevc_mov_portrait")
    assert (info.coded_width, info.coded_height) == (640, 360)
    assert info.rotation in (90, 270)
    assert info.display_size == (360, 640)
    main = stream(made.main, "video")
    assert (main["width"], main["height"]) == (360, 640)
    assert "side_data_list" not in main and "rotate" not in main.get("tags", {})


def test_4k_at_60_fps_comes_down_to_720p_at_30_fps(rendered):
    info, made = rendered("uhd_60fps")
    assert (info.width, info.height, info.fps) == (3840, 2160, 60)
    main = stream(made.main, "video")
    assert (main["width"], main["height"]) == (1280, 720)
    num, den = map(int, main["avg_frame_rate"].split("/"))
    assert num / den <= 30
    assert int(main["nb_frames"]) <= 32


def test_non_square_pixels_are_squared(rendered):
    info, made = rendered("anamorphic_mp4")
    assert info.display_size == (768, 576)
    main = stream(made.main, "video")
    assert (main["width"], main["height"]) == (768, 576)
    assert main["sample_aspect_ratio"] == "1:1"


@pytest.mark.parametrize("name", ["uhd_60fps", "hevc_mov_portrait", "h264_mp4"])
def test_poster_is_a_jpeg_of_the_main_renditions_size(rendered, name):
    _, made = rendered(name)
    assert made.poster.name == "poster.jpg"
    assert made.poster.read_bytes()[:3] == b"\xff\xd8\xff"
    picture = stream(made.poster, "video")
    assert picture["codec_name"] == "mjpeg"
    assert (picture["width"], picture["height"]) == (made.width, made.height)


def test_low_rendition_is_360p_with_lighter_sound(rendered):
    _, made = rendered("vp9_opus_webm")
    low, main = stream(made.low, "video"), stream(made.main, "video")
    assert (low["width"], low["height"]) == (640, 360)
    assert (main["width"], main["height"]) == (640, 360)
    assert int(stream(made.low, "audio")["bit_rate"]) < int(
        stream(made.main, "audio")["bit_rate"]
    )


@pytest.mark.parametrize("name", ["h264_no_audio_mp4", "uhd_60fps"])
def test_a_video_without_sound_gets_renditions_without_sound(rendered, name):
    info, made = rendered(name)
    assert info.audio_codec is None and info.audio_channels == 0
    assert stream(made.main, "audio") is None and stream(made.low, "audio") is None


# The remux path


def test_web_ready_mp4_is_remuxed_not_reencoded(clip, tmp_path):
    # given an H.264/AAC MP4 within 720p with its index at the end
    src = clip("h264_mp4")
    info = probe(src, **LIMITS)
    assert info.is_web_ready
    assert not moov_first(src)
    # when
    remux = build_commands(src, info, tmp_path, False)[0]
    made = make_renditions(src, info, out_dir=tmp_path, timeout=30, low=False)
    # then the video came through untouched, only moved to the front
    assert remux[remux.index("-c") : remux.index("-c") + 2] == ["-c", "copy"]
    assert "libx264" not in remux
    assert made.remuxed and made.low is None
    before, after = stream(src, "video"), stream(made.main, "video")
    for key in ("codec_name", "profile", "nb_frames", "bit_rate", "width", "height"):
        assert after[key] == before[key]
    assert moov_first(made.main)
    assert stream(made.poster, "video")["width"] == 640


def test_after_a_remux_the_low_rendition_is_a_separate_encode(clip, tmp_path):
    src = clip("h264_mp4")
    info = probe(src, **LIMITS)
    commands = build_commands(src, info, tmp_path, True)
    assert len(commands) == 2 and "libx264" in commands[1]
    low = make_low_rendition(src, info, out_path=tmp_path / "low.mp4", timeout=30)
    video = stream(low, "video")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 640, 360)


@pytest.mark.parametrize(
    "name", ["uhd_60fps", "hevc_mov_portrait", "anamorphic_mp4", "vp9_opus_webm"]
)
def test_only_h264_mp4_within_720p_upright_with_square_pixels_is_web_ready(clip, name):
    assert not probe(clip(name), **LIMITS).is_web_ready


@pytest.mark.parametrize("name", ["h264_mp4", "vp9_opus_webm", "uhd_60fps"])
def test_every_command_opens_its_inputs_with_the_file_protocol_only(
    clip, name, tmp_path
):
    src = clip(name)
    for argv in build_commands(src, probe(src, **LIMITS), tmp_path, True):
        assert argv[:6] == HEAD
        inputs = [i for i, arg in enumerate(argv) if arg == "-i"]
        assert inputs
        for start, at in zip([0, *inputs], inputs, strict=False):
            options = argv[start:at]
            whitelist = options.index("-protocol_whitelist")
            assert options[whitelist + 1] == "file"
            assert argv[at + 1] == f"file:{src}"


def test_renditions_stop_at_the_length_limit_whatever_the_timestamps(clip, tmp_path):
    # given a 2 s clip, one transcoded and one remuxed, and a limit of 1 s
    for name in ("vp9_opus_webm", "h264_mp4"):
        src = clip(name)
        out_dir = tmp_path / name
        out_dir.mkdir()
        # when
        made = make_renditions(
            src, probe(src, **LIMITS), out_dir=out_dir, timeout=60, max_seconds=1
        )
        # then
        assert made.duration == pytest.approx(1, abs=0.1)


@pytest.mark.parametrize("name", ["h264_mp4", "vp9_opus_webm"])
def test_every_command_reads_and_writes_no_more_than_the_limit(clip, name, tmp_path):
    src = clip(name)
    info = probe(src, **LIMITS)
    for argv in build_commands(src, info, tmp_path, True, max_seconds=300):
        source = argv.index("-i")  # the poster's fast seek has its own -t
        assert argv[source - 2 : source] == ["-t", "300"]
        for at, arg in enumerate(argv):
            if arg.endswith(".mp4") and not arg.startswith("file:"):  # an output
                assert argv[at - 2 : at] == ["-t", "300"]


def test_the_time_budget_follows_the_length_between_a_minute_and_the_ceiling():
    assert time_budget(3, per_second=3, ceiling=900) == 60
    assert time_budget(100, per_second=3, ceiling=900) == 300
    assert time_budget(36000, per_second=3, ceiling=900) == 900
    assert time_budget(3, per_second=3, ceiling=0.5) == 0.5


def test_a_probe_reports_where_the_last_packet_ends(clip):
    # AAC starts 1024 samples early (priming): the packets span 2.02 s
    assert probe(clip("h264_mp4"), **LIMITS).duration == pytest.approx(2.02, abs=0.01)


# Refusals


def test_an_empty_file_is_refused_as_empty(clip):
    assert refusal(clip("empty_mp4")).code == "empty"


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(clip):
    src = clip("h264_mp4")
    error = refusal(src, max_bytes=300 * 1024)
    assert error.code == "too_large"
    size = format_size(src.stat().st_size)
    assert error.message == f"The file is {size}, over the limit of 300 KB."
    assert size.endswith(" KB") and size != "300 KB"


def test_a_text_file_named_mp4_is_not_a_video(clip):
    assert refusal(clip("text_as_mp4")).code == "not_video"


def test_an_html_page_named_mp4_is_not_a_video(clip):
    assert refusal(clip("html_as_mp4")).code == "not_video"


def test_a_png_named_mp4_is_refused_as_a_picture(clip):
    error = refusal(clip("png_as_mp4"))
    assert (error.code, error.message) == ("image", "This is a picture, not a video.")


def test_a_truncated_mp4_is_refused_as_damaged(clip):
    assert refusal(clip("truncated_mp4")).code == "damaged"


def test_audio_only_is_refused_with_its_own_reason(clip):
    error = refusal(clip("audio_only_m4a"))
    assert error.code == "audio_only"
    assert error.message == "The file has only an audio track, no picture."


def test_an_mp3_with_cover_art_counts_as_audio_only(clip):
    assert refusal(clip("mp3_with_cover_art")).code == "audio_only"


def test_a_stream_without_timing_is_refused_for_having_no_duration(clip):
    assert refusal(clip("h264_elementary_stream")).code == "no_duration"


def test_a_picture_over_the_size_limit_is_refused_with_its_size(clip):
    src = clip("h264_mp4")  # 640×360
    assert probe(src, **LIMITS, max_dimension=640).width == 640
    error = refusal(src, max_dimension=639)
    assert (error.code, error.message) == (
        "too_big",
        "The picture is 640×360 pixels, over the limit of 639 pixels a side.",
    )


def test_a_video_over_the_length_limit_says_how_long_it_is_and_the_limit(clip):
    error = refusal(clip("long_clip"), max_seconds=300)
    assert error.code == "too_long"
    assert error.message == "The video is 5:10 long, over the limit of 5:00."


def test_an_hls_playlist_pointing_at_a_local_file_is_not_followed(tmp_path):
    # given a playlist whose segment is a FIFO: opening it would hang ffprobe
    os.mkfifo(tmp_path / "segment.mp4")
    playlist = clips.hls_playlist(tmp_path, tmp_path / "segment.mp4")
    # then it is refused at once, not timed out
    assert refusal(playlist, timeout=5).code == "not_video"


def test_an_ffconcat_list_naming_a_local_file_is_not_followed(tmp_path):
    os.mkfifo(tmp_path / "other.mp4")
    script = clips.ffconcat_list(tmp_path, tmp_path / "other.mp4")
    assert refusal(script, timeout=5).code == "not_video"


def test_a_file_named_like_a_concat_url_is_read_as_itself(clip, tmp_path, monkeypatch):
    # given, under relative names ffmpeg would take for "concat:" URLs, a text
    # file and a copy of a 2 s clip, next to the files those URLs name
    monkeypatch.chdir(tmp_path)
    Path("h264.mp4").write_bytes(clip("h264_mp4").read_bytes())
    text = Path("concat:h264.mp4|h264.mp4")
    text.write_text("not a video\n")
    copy = Path("concat:h264.mp4|h264.mp4|h264.mp4.mp4")
    copy.write_bytes(clip("h264_mp4").read_bytes())
    # then each is read as the file it is
    assert refusal(text).code == "not_video"
    assert probe(copy, **LIMITS).duration == pytest.approx(2, abs=0.05)


# Running ffmpeg


def test_a_timeout_kills_ffmpeg_and_says_the_video_took_too_long(clip, tmp_path):
    src = clip("uhd_60fps")
    info = probe(src, **LIMITS)
    with pytest.raises(TranscodeFailed) as caught:
        make_renditions(src, info, out_dir=tmp_path, timeout=0.01)
    assert caught.value.message == "Processing the video took too long and was stopped."
    assert caught.value.timed_out
    assert ffmpeg_processes_mentioning(str(tmp_path)) == []
    assert list(tmp_path.iterdir()) == []


def test_on_tick_is_called_while_ffmpeg_runs(clip, tmp_path):
    src = clip("uhd_60fps")
    ticks = []
    make_renditions(
        src,
        probe(src, **LIMITS),
        out_dir=tmp_path,
        timeout=60,
        low=False,
        on_tick=lambda: ticks.append(time.monotonic()),
        tick_seconds=0.1,
    )
    assert len(ticks) >= 2


def test_an_error_in_on_tick_stops_ffmpeg(clip, tmp_path):
    src = clip("uhd_60fps")

    def lease_lost():
        raise RuntimeError("lease lost")

    with pytest.raises(RuntimeError, match="lease lost"):
        make_renditions(
            src,
            probe(src, **LIMITS),
            out_dir=tmp_path,
            timeout=60,
            on_tick=lease_lost,
            tick_seconds=0.05,
        )
    assert ffmpeg_processes_mentioning(str(tmp_path)) == []


def test_ffmpeg_failing_gives_the_tail_of_its_stderr(clip, tmp_path):
    # given a file that probed fine and was then overwritten
    src = tmp_path / "swapped.mp4"
    src.write_bytes(clip("vp9_opus_webm").read_bytes())
    info = probe(src, **LIMITS)
    src.write_bytes(b"\x1a\x45\xdf\xa3" + b"\0" * 4000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    # when / then
    with pytest.raises(TranscodeFailed) as caught:
        make_renditions(src, info, out_dir=out_dir, timeout=30)
    assert "damaged" in caught.value.message and not caught.value.timed_out
    assert "Invalid data found" in caught.value.detail
    assert list(out_dir.iterdir()) == []


def test_a_truncated_file_with_its_index_up_front_is_refused_as_damaged(clip):
    # the index up front still promises 2 s; the packets end at 1 s
    assert refusal(clip("truncated_faststart_mp4")).code == "damaged"


def test_a_file_cut_short_after_probing_fails_processing(clip, tmp_path):
    # given the description of the whole clip, and then only half of it
    info = probe(clip("h264_mp4"), **LIMITS)
    src = clip("truncated_faststart_mp4")
    # when / then
    with pytest.raises(TranscodeFailed) as caught:
        make_renditions(src, info, out_dir=tmp_path, timeout=30, low=False)
    assert "1.00 s of 2.02 s" in caught.value.detail


def test_ffmpeg_runs_niced_and_dies_with_a_killed_worker(tmp_path):
    # given a worker running a long ffmpeg the way make_renditions does
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 20
        while not (children := ffmpeg_processes_mentioning(str(tmp_path))):
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        stat = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
        assert int(stat[16]) == os.getpriority(os.PRIO_PROCESS, 0) + 10
        # when the worker is killed outright
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        # then its ffmpeg goes with it
        deadline = time.monotonic() + 5
        while ffmpeg_processes_mentioning(str(tmp_path)):
            assert time.monotonic() < deadline, "ffmpeg outlived its worker"
            time.sleep(0.01)
    finally:
        worker.kill()
        worker.wait()


# Thirty seconds of real-time test pattern: it would outlive the test if let be.
WORKER = """
import sys
from courses.transcoding.runner import _run
_run(
    ["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
     "testsrc2=size=64x36:duration=30", "-f", "null", sys.argv[1] + "/out"],
    timeout=60, nice=10, on_tick=None, tick_seconds=15,
)
"""


# Formatting


def test_sizes_read_in_binary_units_with_the_default_limit_round():
    assert format_size(GIB) == "1 GB"
    assert format_size(int(1.2 * GIB)) == "1.2 GB"
    assert format_size(300 * 1024**2) == "300 MB"
    assert format_size(1536) == "1.5 KB"
    assert format_size(512) == "512 B"
    assert format_size(1024**2 - 1) == "1 MB"


def test_durations_read_as_minutes_and_seconds():
    assert format_duration(330) == "5:30"
    assert format_duration(300) == "5:00"
    assert format_duration(9.6) == "0:10"
    assert format_duration(3725) == "1:02:05"
