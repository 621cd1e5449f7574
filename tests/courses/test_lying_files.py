"""Lying files: a header that says one thing while the file holds another.

Each file is made here from ffmpeg's test sources, remuxed with timestamp
tricks or patched byte by byte (``tests.courses.clips``).  Each must be refused
at upload with its own sentence and leave nothing behind, by every way in: the
upload service, the admin form, ``video_import`` and a trainee's video lesson.
Where the lie is harmless (timestamps that start ten hours in, a sparse
timeline within the limit) the file is accepted with the length its packets
show and processed within the limit.
"""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import override

from courses.models import Video
from courses.services import videos as svc
from courses.transcoding import probe
from courses.video_files import local_root, video_storage
from supervision.models import VideoLessonSubmission
from supervision.services.reviews import video_lesson_submit
from tests.courses import clips

ROOT = Path(__file__).resolve().parents[2]
LIMITS = {"max_seconds": 300, "max_bytes": 1024**3}
TOO_LONG = "The video is %s long, over the limit of 5:00."
UNDECODABLE = "The video's pictures cannot be decoded; the file may be damaged."
TOO_BIG = "The picture is 16000×16000 pixels, over the limit of 8192 pixels a side."

# name: (how to make it, refusal code, the uploader's sentence)
REFUSED = {
    "header 3 s, last frame at 10 h": (
        clips.header_3s_last_frame_at_10h_mkv,
        "too_long",
        TOO_LONG % "10:00:04",
    ),
    "sound starting 10 h in (-itsoffset)": (
        clips.sound_at_10h_mkv,
        "too_long",
        TOO_LONG % "10:00:03",
    ),
    "a segment at 10 h between two at 0 s (-output_ts_offset)": (
        clips.jump_to_10h_and_back_ts,
        "too_long",
        TOO_LONG % "10:00:02",
    ),
    "timescale 1: each frame 512 s long": (
        lambda folder: clips.mp4_with_timescale(folder, 1),
        "too_long",
        TOO_LONG % "7:06:40",
    ),
    "timescale 2**31 - 1: fifty frames in 12 µs": (
        lambda folder: clips.mp4_with_timescale(folder, 2**31 - 1),
        "bad_timing",
        "The video's timestamps are broken; the file may be damaged.",
    ),
    "one PNG frame in Matroska": (
        clips.png_frame_in_mkv,
        "image",
        "This is a picture, not a video.",
    ),
    "HTML where an MP4's media should be": (
        clips.html_mp4_polyglot,
        "undecodable",
        UNDECODABLE,
    ),
    "PNG frames announcing 16000×16000": (
        clips.png_frames_claiming_16000_mkv,
        "too_big",
        TOO_BIG,
    ),
    "raw AVI announcing 16000×16000": (
        lambda folder: clips.raw_avi_claiming(folder, 16000, 16000, seconds=2),
        "too_big",
        TOO_BIG,
    ),
    "MJPEG frames announcing 16000×16000 in a 64×64 track": (
        clips.mjpeg_frames_claiming_16000_mkv,
        "undecodable",
        UNDECODABLE,
    ),
    "680 KB decoding to 161 GB (8192×8192 raw AVI)": (
        lambda folder: clips.raw_avi_claiming(folder, 8192, 8192),
        "too_heavy",
        "The video holds too many pixels to process; export it at 4K and 60 "
        "frames a second or less.",
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """``corpus(name)``: that file, made once for the module."""
    folder = tmp_path_factory.mktemp("lying")
    made = {}
    makers = {
        **{name: make for name, (make, _code, _message) in REFUSED.items()},
        "sparse": clips.sparse_timeline_mkv,
        "shifted": clips.shifted_by_10h_ts,
        "empty sound": clips.mkv_with_an_empty_sound_track,
    }

    def get(name: str) -> Path:
        if name not in made:
            own = folder / str(len(made))
            own.mkdir()
            made[name] = makers[name](own)
        return made[name]

    return get


@pytest.fixture(autouse=True)
def _empty_storage():
    root = local_root(video_storage())
    shutil.rmtree(root, ignore_errors=True)
    yield
    shutil.rmtree(root, ignore_errors=True)


def stored_files() -> list[Path]:
    root = local_root(video_storage())
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(actor, unit, path: Path) -> Video:
    with open(path, "rb") as handle:
        return svc.video_upload(
            actor=actor,
            upload=File(handle, name=str(path)),
            filename=path.name,
            title="",
            unit=unit,
        )


# Refused at upload


@pytest.mark.parametrize("name", REFUSED)
def test_each_lying_file_is_refused_at_upload_with_its_sentence(org, corpus, name):
    # given
    _make, code, message = REFUSED[name]
    # when
    with override("en"), pytest.raises(ValidationError) as refused:
        upload(org.coordinator, org.east, corpus(name))
    # then
    assert (refused.value.code, refused.value.messages) == (code, [message])
    assert not Video.objects.exists()
    assert stored_files() == []


def test_a_16000_pixel_header_is_refused_without_allocating_the_picture(corpus):
    # given a probe in a process of its own, so its children's memory is its own
    path = corpus("PNG frames announcing 16000×16000")
    # when
    done = subprocess.run(
        [sys.executable, "-c", PROBE_IN_A_CHILD, str(path)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        check=True,
        timeout=120,
    )
    code, peak_kb = done.stdout.decode().split()
    # then: one 16000×16000 RGB frame alone would take 768 MB
    assert code == "too_big"
    assert int(peak_kb) < 200 * 1024


PROBE_IN_A_CHILD = """
import resource, sys
import django
django.setup()
from courses.transcoding import VideoRefused, probe
try:
    probe(sys.argv[1], max_seconds=300, max_bytes=2**30)
    print("accepted")
except VideoRefused as refused:
    print(refused.code)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


# The 10-hour file, by every way in


LIAR = "header 3 s, last frame at 10 h"


def test_video_import_refuses_the_10_hour_file(org, corpus):
    path = corpus(LIAR)
    out = StringIO()
    with override("en"), pytest.raises(CommandError, match="1 of 1"):
        call_command("video_import", str(path), "--unit", "east", stdout=out)
    assert out.getvalue().strip() == f"{path}: refused: {TOO_LONG % '10:00:04'}"
    assert not Video.objects.exists()
    assert stored_files() == []


def test_the_admin_upload_refuses_the_10_hour_file(org, login, corpus):
    client = login(org.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = corpus(LIAR).read_bytes()
    response = client.post(
        reverse("videos:add"),
        {
            "title": "",
            "unit": org.east.pk,
            "file": SimpleUploadedFile("lesson.mkv", content),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [TOO_LONG % "10:00:04"]
    assert not Video.objects.exists()
    assert stored_files() == []


def test_a_trainees_video_lesson_refuses_the_10_hour_file(org, corpus):
    path = corpus(LIAR)
    with override("en"), pytest.raises(ValidationError) as refused:
        video_lesson_submit(
            actor=org.trainee,
            title="倾听技术",
            file=SimpleUploadedFile(path.name, path.read_bytes()),
        )
    assert refused.value.messages == [TOO_LONG % "10:00:04"]
    assert not VideoLessonSubmission.objects.exists()
    assert not Video.objects.exists()
    assert stored_files() == []


def test_a_trainees_typed_title_loses_its_bidi_controls(org, tmp_path):
    # given U+202E (right-to-left override) and an isolate around "4pm.exe"
    title = "作业\u202e4pm.exe\u2066\u2069"
    path = clips.h264_mp4(tmp_path, seconds=1, size="160x120")
    # when
    submission = video_lesson_submit(
        actor=org.trainee,
        title=title,
        file=SimpleUploadedFile(path.name, path.read_bytes()),
    )
    # then
    assert submission.title == submission.video.title == "作业4pm.exe"


# Harmless lies: accepted with the length the packets show


def test_a_sparse_timeline_lasts_to_its_last_frame_and_is_processed(org, corpus):
    # given a header that says 3 s and a last frame at 200 s
    video = upload(org.coordinator, org.east, corpus("sparse"))
    assert video.duration == pytest.approx(200.2, abs=0.1)
    # when
    video = svc.video_process(video_id=video.pk)
    # then
    assert video.status == Video.Status.READY
    assert video.duration == pytest.approx(200.2, abs=0.5)


def test_timestamps_starting_ten_hours_in_make_a_two_second_video(org, corpus):
    video = upload(org.coordinator, org.east, corpus("shifted"))
    assert video.duration == pytest.approx(2, abs=0.1)
    video = svc.video_process(video_id=video.pk)
    assert video.status == Video.Status.READY
    assert video.duration == pytest.approx(2, abs=0.1)


def test_a_sound_track_without_sound_is_left_out_rather_than_refused(corpus):
    info = probe(corpus("empty sound"), **LIMITS)
    assert (info.audio_codec, info.duration) == (None, pytest.approx(2, abs=0.1))
