"""Trainee video lessons for tests, made directly (not through the
services) so a test can start from any state."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses.models import Video
from courses.testsources import make_test_clip
from supervision.models import VideoLessonSubmission
from tests.factories.courses import make_ready_video


def make_submission(
    person,
    *,
    status=VideoLessonSubmission.Status.SUBMITTED,
    duration=125.0,
    ready=True,
    title="情绪稳定化技术微课",
    days_ago=0,
    video=None,
    **fields,
):
    """A video lesson of ``person`` whose video is ready (placeholder files,
    no ffmpeg) or, with ``ready=False``, still queued."""
    if video is None:
        video = (
            make_ready_video(
                person.home_unit,
                title=title,
                duration=duration,
                in_library=False,
                uploaded_by=person,
            )
            if ready
            else Video.objects.create(
                title=title,
                unit=person.home_unit,
                duration=duration,
                in_library=False,
                uploaded_by=person,
            )
        )
    return VideoLessonSubmission.objects.create(
        person=person,
        title=title,
        video=video,
        status=status,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )


def clip_upload(folder, *, seconds=1, name="lesson.mp4") -> SimpleUploadedFile:
    """A real, tiny H.264 clip as an uploaded file."""
    path = make_test_clip(folder / name, seconds=seconds, size="160x90", fps=10)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="video/mp4")
