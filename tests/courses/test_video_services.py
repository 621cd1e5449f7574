"""Upload, processing and sweeping of videos, with real ffmpeg on tiny
clips made from its test sources (no worker: the service is called as the
task would call it)."""

import os
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import override

from courses.leases import LeaseHeld
from courses.models import Video, VideoEvent
from courses.services import videos as svc
from courses.testsources import make_test_clip
from courses.video_files import local_root, video_storage


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return {
        "ready": make_test_clip(
            folder / "ready.mp4",
            seconds=2,
            size="640x360",
            container_args=["-movflags", "+faststart"],
        ),
        "webm": make_test_clip(
            folder / "clip.webm",
            seconds=2,
            size="320x240",
            vcodec="libvpx-vp9",
            acodec="libopus",
        ),
        "text": _write(folder / "notes.mp4", "这不是视频。\n" * 50),
    }


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def stored_files() -> list[str]:
    root = local_root(video_storage())
    if not root.exists():
        return []
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and ".work" not in p.parts
    )


@pytest.fixture(autouse=True)
def _empty_storage():
    import shutil

    root = local_root(video_storage())
    shutil.rmtree(root, ignore_errors=True)
    yield
    shutil.rmtree(root, ignore_errors=True)


def upload(actor, unit, path: Path, title=""):
    with open(path, "rb") as handle:
        return svc.video_upload(
            actor=actor,
            upload=File(handle, name=str(path)),
            filename=path.name,
            title=title,
            unit=unit,
        )


def test_an_upload_is_stored_and_queued_after_commit(
    org, clips, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        video = upload(org.coordinator, org.east, clips["webm"])
    assert video.status == Video.Status.QUEUED
    assert video.title == "clip"  # the file name when no title is given
    assert video.duration == pytest.approx(2, abs=0.1)
    assert stored_files() == [f"{video.key}/original.webm"]
    assert len(callbacks) == 1


def test_a_refused_upload_names_the_reason_and_stores_nothing(org, clips):
    with override("en"), pytest.raises(ValidationError) as refused:
        upload(org.coordinator, org.east, clips["text"])
    assert refused.value.messages == ["This is not a video file."]
    assert not Video.objects.exists()
    assert stored_files() == []


def test_an_empty_in_memory_upload_is_refused(org):
    with override("en"), pytest.raises(ValidationError, match="empty"):
        svc.video_upload(
            actor=org.coordinator,
            upload=SimpleUploadedFile("x.mp4", b""),
            filename="x.mp4",
            title="",
            unit=org.east,
        )
    assert not Video.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(org, clips, settings):
    settings.LMS_VIDEO_MAX_BYTES = 1000
    with override("en"), pytest.raises(ValidationError, match="over the limit"):
        upload(org.coordinator, org.east, clips["webm"])
    assert stored_files() == []


def test_a_sibling_unit_or_a_trainee_for_another_unit_cannot_upload(org, clips):
    with pytest.raises(PermissionDenied):
        upload(org.sibling, org.east, clips["webm"])
    with pytest.raises(PermissionDenied):
        upload(org.trainee, org.east, clips["webm"])
    # a trainee may upload for their own unit (their video lesson)
    assert upload(org.trainee, org.east_room, clips["webm"]).pk


@pytest.mark.parametrize("title", ["   ", "x" * 201])
def test_bad_titles_are_refused(org, clips, title):
    path = clips["webm"]
    if title.strip():
        with pytest.raises(ValidationError):
            upload(org.coordinator, org.east, path, title=title)
        assert not Video.objects.exists()
    else:
        assert upload(org.coordinator, org.east, path, title=title).title == "clip"


def test_a_file_name_of_300_characters_makes_a_title_cut_to_fit(org, clips):
    # given no typed title and a file name far longer than a title may be
    path = clips["webm"]
    with open(path, "rb") as handle:
        # when
        video = svc.video_upload(
            actor=org.coordinator,
            upload=File(handle, name=str(path)),
            filename="讲" * 300 + ".webm",
            title="",
            unit=org.east,
        )
    # then
    assert video.title == "讲" * 200


@pytest.mark.parametrize(
    "title, filename, expected",
    [
        # U+202E makes "4pm.exe" read "exe.mp4"; isolates, marks and embeddings
        ("作业\u202e4pm.exe", "x.webm", "作业4pm.exe"),
        ("", "作业\u202e4pm.exe.webm", "作业4pm.exe"),
        ("\u2066a\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202db", "x.webm", "ab"),
        (
            "line\nbreak\ttab\x00nul\x1bescape\u2028end",
            "x.webm",
            "line break tabnulescape end",
        ),
        ("\u202e\u200f", "clip.webm", "clip"),  # nothing left typed: the file name
        ("", "\ufeffclip.webm", "clip"),
    ],
)
def test_bidi_and_control_characters_are_removed_from_titles(
    org, clips, title, filename, expected
):
    path = clips["webm"]
    with open(path, "rb") as handle:
        video = svc.video_upload(
            actor=org.coordinator,
            upload=File(handle, name=str(path)),
            filename=filename,
            title=title,
            unit=org.east,
        )
    assert video.title == expected


def test_a_title_cut_from_a_file_name_keeps_accents_with_their_letters(org, clips):
    # given 199 letters, then an "e" and a combining acute accent (201 chars)
    name = "a" * 199 + "e\u0301.webm"
    path = clips["webm"]
    with open(path, "rb") as handle:
        video = svc.video_upload(
            actor=org.coordinator,
            upload=File(handle, name=str(path)),
            filename=name,
            title="",
            unit=org.east,
        )
    # then the "e" goes with its accent rather than keep it bare
    assert video.title == "a" * 199


def test_ffmpegs_time_budget_follows_the_videos_length(org, clips, monkeypatch):
    # given a 2 s video, and a record of what make_renditions is given
    given = {}
    make_renditions = svc.transcoding.make_renditions

    def recording(*args, **kwargs):
        given.update(kwargs)
        return make_renditions(*args, **kwargs)

    monkeypatch.setattr(svc.transcoding, "make_renditions", recording)
    video = upload(org.coordinator, org.east, clips["webm"])
    # when
    assert svc.video_process(video_id=video.pk).status == Video.Status.READY
    # then a minute, not the 900 s ceiling, and cut at the length limit
    assert (given["timeout"], given["max_seconds"]) == (60, 300)


def test_processing_a_webm_transcodes_to_renditions_and_poster(
    org, clips, django_capture_on_commit_callbacks
):
    video = upload(org.coordinator, org.east, clips["webm"])
    with django_capture_on_commit_callbacks() as callbacks:
        video = svc.video_process(video_id=video.pk)
    assert video.status == Video.Status.READY
    assert not video.remuxed
    assert (video.width, video.height) == (320, 240)
    assert set(stored_files()) == {
        f"{video.key}/original.webm",
        f"{video.key}/main.mp4",
        f"{video.key}/low.mp4",
        f"{video.key}/poster.jpg",
    }
    assert callbacks == []  # nothing more to do after a transcode
    steps = list(video.events.values_list("from_status", "to_status"))
    assert steps == [("", "queued"), ("queued", "processing"), ("processing", "ready")]


def test_a_web_ready_mp4_is_remuxed_then_gets_its_360p_rendition(
    org, clips, django_capture_on_commit_callbacks
):
    video = upload(org.coordinator, org.east, clips["ready"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        video = svc.video_process(video_id=video.pk)
    assert video.status == Video.Status.READY and video.remuxed
    assert video.low_name == ""
    assert len(callbacks) == 1  # the 360p rendition is queued
    video = svc.video_make_low(video_id=video.pk)
    assert video.low_name == f"{video.key}/low.mp4"
    assert svc.video_make_low(video_id=video.pk).low_name == video.low_name


def test_processing_twice_makes_no_duplicates(org, clips):
    video = upload(org.coordinator, org.east, clips["webm"])
    svc.video_process(video_id=video.pk)
    files = stored_files()
    again = svc.video_process(video_id=video.pk)
    assert again.status == Video.Status.READY
    assert stored_files() == files
    assert VideoEvent.objects.filter(video=video, to_status="ready").count() == 1


def test_a_damaged_original_fails_with_a_reason(org, clips):
    video = upload(org.coordinator, org.east, clips["webm"])
    original = local_root(video_storage()) / video.original_name
    original.write_bytes(original.read_bytes()[:200])
    video = svc.video_process(video_id=video.pk)
    assert video.status == Video.Status.FAILED
    with override("en"):
        assert (
            "damaged" in video.failure_message or "acceptable" in video.failure_message
        )
    assert video.main_name == ""


def test_a_missing_original_fails_with_its_own_reason(org, clips):
    video = upload(org.coordinator, org.east, clips["webm"])
    (local_root(video_storage()) / video.original_name).unlink()
    video = svc.video_process(video_id=video.pk)
    assert (video.status, video.failure_code) == (Video.Status.FAILED, "missing")


def test_ffmpeg_over_its_time_limit_fails_the_video_as_timed_out(org, clips, settings):
    settings.LMS_VIDEO_TIMEOUT_SECONDS = 0.001
    video = upload(org.coordinator, org.east, clips["webm"])
    video = svc.video_process(video_id=video.pk)
    assert (video.status, video.failure_code) == (Video.Status.FAILED, "timeout")
    assert not [f for f in stored_files() if f.endswith(("main.mp4", "poster.jpg"))]


def test_a_failed_video_can_be_retried(org, clips, django_capture_on_commit_callbacks):
    video = upload(org.coordinator, org.east, clips["webm"])
    (local_root(video_storage()) / video.original_name).unlink()
    video = svc.video_process(video_id=video.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        video = svc.video_retry(actor=org.coordinator, video=video)
    assert video.status == Video.Status.QUEUED and len(callbacks) == 1


def _hold(video, holder, *, seconds):
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.PROCESSING,
        lease_holder=holder,
        lease_until=timezone.now() + timedelta(seconds=seconds),
        attempts=1,
    )


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_video_held_by_a_live_worker_is_not_taken(org, clips):
    video = upload(org.coordinator, org.east, clips["webm"])
    _hold(video, f"{socket.gethostname()}:{os.getppid()}:abcd", seconds=60)
    with pytest.raises(LeaseHeld):
        svc.video_process(video_id=video.pk)


def test_a_video_held_by_a_dead_process_is_taken_over(org, clips):
    video = upload(org.coordinator, org.east, clips["webm"])
    _hold(video, f"{socket.gethostname()}:{_dead_pid()}:abcd", seconds=60)
    assert svc.video_process(video_id=video.pk).status == Video.Status.READY


def test_a_lapsed_lease_on_another_machine_is_taken_over(org, clips):
    video = upload(org.coordinator, org.east, clips["webm"])
    _hold(video, "elsewhere:1:abcd", seconds=-1)
    assert svc.video_process(video_id=video.pk).status == Video.Status.READY


def test_the_sweeper_requeues_lost_work_and_leaves_live_work_alone(
    org, clips, django_capture_on_commit_callbacks
):
    lost = upload(org.coordinator, org.east, clips["webm"], title="lost")
    live = upload(org.coordinator, org.east, clips["webm"], title="live")
    _hold(lost, f"{socket.gethostname()}:{_dead_pid()}:abcd", seconds=60)
    _hold(live, "elsewhere:1:abcd", seconds=60)
    with django_capture_on_commit_callbacks() as callbacks:
        assert svc.videos_requeue_stale() == [lost.pk]
    assert len(callbacks) == 1
    assert Video.objects.get(pk=lost.pk).status == Video.Status.QUEUED
    assert Video.objects.get(pk=live.pk).status == Video.Status.PROCESSING


def test_the_sweeper_gives_up_after_repeated_losses(org, clips):
    video = upload(org.coordinator, org.east, clips["webm"])
    _hold(video, "elsewhere:1:abcd", seconds=-1)
    Video.objects.filter(pk=video.pk).update(attempts=svc.MAX_ATTEMPTS)
    svc.videos_requeue_stale()
    video.refresh_from_db()
    assert (video.status, video.failure_code) == (Video.Status.FAILED, "crashed")


def test_ready_without_renditions_is_refused_by_the_database(org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Video.objects.create(title="x", unit=org.east, status=Video.Status.READY)


def test_deleting_a_video_removes_its_files(
    org, clips, django_capture_on_commit_callbacks
):
    video = upload(org.coordinator, org.east, clips["webm"])
    svc.video_process(video_id=video.pk)
    with pytest.raises(PermissionDenied):
        svc.video_delete(actor=org.sibling, video=video)
    with django_capture_on_commit_callbacks(execute=True):
        svc.video_delete(actor=org.coordinator, video=video)
    assert not Video.objects.exists()
    assert stored_files() == []
