"""Video tasks through a real Celery worker process: delivery twice, and
a worker killed with SIGKILL in the middle of a transcode."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files import File

from courses.models import Video, VideoEvent
from courses.services import videos as svc
from courses.tasks import video_transcode_task
from courses.testsources import make_test_clip
from courses.video_files import local_root, video_storage
from tests.conftest import start_celery_worker, stop_celery_worker, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture(autouse=True)
def _empty_storage():
    shutil.rmtree(local_root(video_storage()), ignore_errors=True)
    yield
    shutil.rmtree(local_root(video_storage()), ignore_errors=True)


def upload(org, path: Path) -> Video:
    with open(path, "rb") as handle:
        return svc.video_upload(
            actor=org.coordinator,
            upload=File(handle, name=str(path)),
            filename=path.name,
            title="",
            unit=org.east,
        )


def status_of(video) -> str:
    return Video.objects.get(pk=video.pk).status


def rendition_files(video) -> list[str]:
    folder = local_root(video_storage()) / str(video.key)
    return sorted(p.name for p in folder.iterdir())


def ffmpeg_children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-eo", "pid,ppid,comm"], capture_output=True, text=True, check=True
    ).stdout
    return [
        int(line.split()[0])
        for line in out.splitlines()[1:]
        if line.split()[2] == "ffmpeg" and int(line.split()[1]) == pid
    ]


def test_a_task_delivered_twice_makes_one_set_of_renditions(
    celery_worker_process, org, tmp_path
):
    # given an upload whose task is sent a second time, as a broker may
    clip = make_test_clip(
        tmp_path / "clip.webm",
        seconds=2,
        size="320x240",
        vcodec="libvpx-vp9",
        acodec="libopus",
    )
    video = upload(org, clip)
    video_transcode_task.delay(video_id=video.pk)
    # when the worker has processed both messages
    assert wait_for(lambda: status_of(video) == Video.Status.READY, timeout=60)
    time.sleep(2)
    # then there is one set of files and one "ready" step in the history
    assert rendition_files(video) == [
        "low.mp4",
        "main.mp4",
        "original.webm",
        "poster.jpg",
    ]
    assert VideoEvent.objects.filter(video=video, to_status="ready").count() == 1
    assert not list((local_root(video_storage()) / ".work").glob("*"))


def test_a_worker_killed_mid_transcode_is_requeued_and_finished_after_restart(
    transactional_db, org, tmp_path, settings
):
    from lms.celery import app

    app.control.purge()
    # given a clip that takes a few seconds to transcode on this machine
    clip = make_test_clip(
        tmp_path / "long.webm",
        seconds=10,
        size="1280x720",
        fps=30,
        vcodec="libvpx-vp9",
        acodec="libopus",
    )
    worker = start_celery_worker("test-worker-killed.log")
    try:
        video = upload(org, clip)
        assert wait_for(lambda: status_of(video) == Video.Status.PROCESSING, timeout=60)
        assert wait_for(lambda: ffmpeg_children(worker.pid), timeout=20)
        children = ffmpeg_children(worker.pid)
        # when the worker is killed outright
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stop_celery_worker(worker)
    # then its ffmpeg dies with it and the video is left in processing
    assert wait_for(lambda: not any(_alive(pid) for pid in children), timeout=10)
    assert status_of(video) == Video.Status.PROCESSING
    # and a new worker takes it back at start-up and finishes it
    restarted = start_celery_worker("test-worker-restarted.log")
    try:
        assert wait_for(lambda: status_of(video) == Video.Status.READY, timeout=120)
    finally:
        stop_celery_worker(restarted)
    notes = list(
        VideoEvent.objects.filter(video=video).values_list("to_status", flat=True)
    )
    assert notes == ["queued", "processing", "queued", "processing", "ready"]
    assert Video.objects.get(pk=video.pk).attempts == 2
    # and the killed worker's half-made files were cleared away
    assert not list((local_root(video_storage()) / ".work").glob("*"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for its parent is dead for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False
