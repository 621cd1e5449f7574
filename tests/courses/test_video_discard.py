"""``video_discard``: what the pipeline made for an abandoned upload goes,
rows and files, and nothing of any other video."""

import shutil
from pathlib import Path

import pytest
from django.core.files import File

from courses.models import Video, VideoEvent
from courses.services import videos as svc
from courses.testsources import make_test_clip
from courses.video_files import local_root, video_storage


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("discard")
    return make_test_clip(folder / "clip.mp4", seconds=1, size="160x120")


@pytest.fixture(autouse=True)
def _empty_storage():
    yield
    shutil.rmtree(local_root(video_storage()), ignore_errors=True)


def _upload(org, path: Path) -> Video:
    with open(path, "rb") as handle:
        return svc.video_upload(
            actor=org.coordinator,
            upload=File(handle, name=str(path)),
            filename=path.name,
            title="",
            unit=org.east,
        )


def _folder(video: Video) -> Path:
    return local_root(video_storage()) / str(video.key)


def test_a_discarded_video_leaves_no_rows_and_no_files(org, clip):
    # given a processed video and another one
    video = svc.video_process(video_id=_upload(org, clip).pk)
    other = _upload(org, clip)
    assert video.status == Video.Status.READY
    assert len(list(_folder(video).iterdir())) > 1  # original and renditions
    # when the first is discarded
    svc.video_discard(video=video)
    # then its rows and files are gone, and the other's are kept
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not VideoEvent.objects.filter(video_id=video.pk).exists()
    assert not _folder(video).exists()
    assert Video.objects.filter(pk=other.pk).exists()
    assert (local_root(video_storage()) / other.original_name).exists()


def test_discarding_a_video_whose_row_was_never_kept_removes_its_files(org, clip):
    # given the files of an upload whose row went (its transaction rolled back)
    video = _upload(org, clip)
    Video.objects.filter(pk=video.pk).delete()
    assert _folder(video).exists()
    # when it is discarded, then its files go too
    svc.video_discard(video=video)
    assert not _folder(video).exists()
