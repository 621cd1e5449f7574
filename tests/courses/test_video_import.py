"""``manage.py video_import``: the upload's validation and processing from
the command line, one line per file, non-zero exit on any refusal."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from courses.models import LessonPage, Video
from courses.testsources import make_test_clip
from courses.video_files import local_root, video_storage
from tests.factories.courses import make_lesson, make_module, make_syllabus


@pytest.fixture(autouse=True)
def _empty_storage():
    yield
    shutil.rmtree(local_root(video_storage()), ignore_errors=True)


@pytest.fixture
def files(tmp_path):
    good = make_test_clip(tmp_path / "good.mp4", seconds=1, size="320x240")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 20)
    return {"good": good, "text": text, "missing": tmp_path / "nope.mp4"}


def run(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("video_import", *map(str, args), stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_a_good_file_is_imported_and_ready(org, files):
    out, error = run(files["good"], "--unit", "east")
    assert error is None
    video = Video.objects.get()
    assert video.is_ready and video.unit == org.east and video.low_name
    assert out.startswith(f"{files['good']}: ready: video {video.pk}")


def test_refused_and_missing_files_get_a_line_each_and_a_non_zero_exit(org, files):
    out, error = run(files["good"], files["text"], files["missing"], "--unit", "east")
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].split(": ")[1] == "ready"
    assert lines[1].startswith(f"{files['text']}: refused: ")
    assert lines[2] == f"{files['missing']}: refused: no such file"
    assert error is not None and "2 of 3" in str(error)
    assert Video.objects.count() == 1


def test_lesson_option_attaches_the_video_and_publishes_a_live_lesson(org, files):
    lesson = make_lesson(make_module(make_syllabus()), "压力管理")
    out, error = run(files["good"], "--lesson", lesson.pk, "--unit", "east")
    assert error is None and f"attached to lesson {lesson.pk}" in out
    assert LessonPage.objects.get(pk=lesson.pk).video == Video.objects.get()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lesson", "999999"], "no lesson"),
        (["--unit", "nowhere"], "no unit"),
    ],
)
def test_bad_options_are_refused_before_anything_is_done(org, files, args, message):
    _out, error = run(files["good"], *args)
    assert error is not None and message in str(error)
    assert not Video.objects.exists()


def test_lesson_option_takes_one_file(org, files):
    lesson = make_lesson(make_module(make_syllabus()), "压力管理")
    _out, error = run(files["good"], files["good"], "--lesson", lesson.pk)
    assert "exactly one file" in str(error)
