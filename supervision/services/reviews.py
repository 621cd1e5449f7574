"""Trainee video lessons: submit through the courses video pipeline, review
with timestamped comments, approve (a practice entry) or return.

The status follows ``VideoLessonSubmission.TRANSITIONS`` through
``lms.core.status``; every step writes a ``ReviewTransition``, and the
trainee gets a notice when their lesson is approved or returned.
"""

import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import LessonPage, Video
from courses.selectors.learn import lessons_visible_to
from courses.services.videos import video_discard, video_title_clean, video_upload
from lms.core.models import Role, User
from lms.core.services.notices import notice_send
from lms.core.status import status_change, status_check, status_record

from ..models import PracticeEntry, VideoLessonSubmission, VideoReviewComment
from ..permissions import can_review
from ..selectors.reviews import mmss
from .entries import (
    practice_entry_approve,
    practice_entry_create,
    practice_entry_submit,
)

Status = VideoLessonSubmission.Status
#: A video lesson lasts at most five minutes (a little slack for encoders).
MAX_SECONDS = 5 * 60
_SLACK_SECONDS = 0.5
TITLE_MAX = VideoLessonSubmission._meta.get_field("title").max_length
COMMENT_MAX = 2000


def _clean_text(value, *, max_length: int, empty_message: str, long_message: str):
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError(_("The text holds characters that cannot be saved."))
    if not text and empty_message:
        raise ValidationError(empty_message)
    if len(text) > max_length:
        raise ValidationError(long_message % {"max": max_length})
    return text


def _clean_title(title: str) -> str:
    text = str(title or "")
    if "\x00" not in text:  # which _clean_text refuses with its own sentence
        # Bidi and other control characters go: U+202E (right-to-left
        # override) before "4pm.exe" must not make it read "exe.mp4".
        text = video_title_clean(text)
    return _clean_text(
        text,
        max_length=TITLE_MAX,
        empty_message=_("Please give the video lesson a title."),
        long_message=_("The title is too long; keep it under %(max)s characters."),
    )


def _clean_comment(comment: str, *, required: bool) -> str:
    return _clean_text(
        comment,
        max_length=COMMENT_MAX,
        empty_message=_("Please write a comment.") if required else "",
        long_message=_("The comment is too long; keep it under %(max)s characters."),
    )


def _check_may_submit(actor: User, lesson: LessonPage | None) -> None:
    if not actor.is_authenticated or not actor.has_role(Role.TRAINEE):
        raise PermissionDenied
    if actor.home_unit_id is None:
        raise ValidationError(
            _("Your account has no home unit; ask your coordinator to set it.")
        )
    if (
        lesson is not None
        and not lessons_visible_to(user=actor).filter(pk=lesson.pk).exists()
    ):
        raise ValidationError(_("Please choose a lesson you can open."))


def _upload(*, actor: User, file: File, title: str) -> Video:
    """The courses pipeline's upload, refusing lessons over five minutes."""
    filename = getattr(file, "name", "") or ""
    video = video_upload(
        actor=actor,
        upload=file,
        filename=filename,
        title=title,
        unit=actor.home_unit,
        in_library=False,
    )
    if video.duration is None or video.duration > MAX_SECONDS + _SLACK_SECONDS:
        _discard(video)  # the row goes with the caller's transaction
        raise ValidationError(
            _("A video lesson may last at most five minutes; this one is longer."),
            code="too_long",
        )
    return video


def _discard(video: Video | None) -> None:
    """Remove what the pipeline made for an upload whose transaction failed."""
    if video is not None:
        video_discard(video=video)


def video_lesson_submit(
    *, actor: User, title: str, lesson: LessonPage | None = None, file: File
) -> VideoLessonSubmission:
    """A trainee hands in a video lesson (at most five minutes).

    The file goes through ``courses.services.videos.video_upload`` (the
    same checks and refusals; processing queued after commit) as a video
    of the trainee's home unit.  A refused file raises ``ValidationError``
    with a sentence and nothing is kept, neither rows nor files.
    """
    title = _clean_title(title)
    _check_may_submit(actor, lesson)
    video = None
    try:
        with transaction.atomic():
            video = _upload(actor=actor, file=file, title=title)
            submission = VideoLessonSubmission.objects.create(
                person=actor,
                title=title,
                lesson=lesson,
                video=video,
                submitted_at=timezone.now(),
            )
            status_record(submission, actor=actor)
    except BaseException:
        _discard(video)
        raise
    return submission


def _locked(submission: VideoLessonSubmission) -> VideoLessonSubmission:
    return (
        VideoLessonSubmission.objects.select_for_update()
        .select_related("person", "video")
        .get(pk=submission.pk)
    )


def _check_replaceable(submission: VideoLessonSubmission) -> None:
    """Returned lessons take a new video; so does one still waiting whose
    video could not be processed (else the trainee would be stuck)."""
    failed = (
        submission.status == Status.SUBMITTED
        and submission.video.status == Video.Status.FAILED
    )
    if not failed:
        status_check(submission, to=Status.SUBMITTED)


def video_lesson_resubmit(
    *, actor: User, submission: VideoLessonSubmission, file: File
) -> VideoLessonSubmission:
    """The trainee hands in a new video for a returned lesson (or one whose
    video failed).  The old video stays, with the comments made on it."""
    if not actor.is_authenticated or actor.pk != submission.person_id:
        raise PermissionDenied
    video = None
    try:
        with transaction.atomic():
            submission = _locked(submission)
            _check_replaceable(submission)
            _check_may_submit(actor, None)
            video = _upload(actor=actor, file=file, title=submission.title)
            _replace_video(submission, actor=actor, video=video)
    except BaseException:
        _discard(video)
        raise
    return submission


def _replace_video(
    submission: VideoLessonSubmission, *, actor: User, video: Video
) -> None:
    """Hand in ``video``: a returned lesson moves back to submitted; one
    waiting with a failed video stays submitted, and its history says the
    video was replaced."""
    submission.video = video
    submission.submitted_at = timezone.now()
    changed = ["video", "submitted_at"]
    if submission.status == Status.RETURNED:
        status_change(
            submission, to=Status.SUBMITTED, actor=actor, update_fields=changed
        )
        return
    submission.save(update_fields=changed)
    status_record(
        submission,
        before=submission.status,
        actor=actor,
        comment=_("The video was replaced."),
    )


def _check_review(actor: User, submission: VideoLessonSubmission) -> None:
    if not can_review(actor, submission):
        raise PermissionDenied
    if submission.video.status != Video.Status.READY:
        raise ValidationError(
            _("This video lesson can be reviewed once its video is ready.")
        )


def video_review_comment(
    *, actor: User, submission: VideoLessonSubmission, at_seconds: int, body: str
) -> VideoReviewComment:
    """A reviewer pins a comment to a moment of the video under review."""
    body = _clean_comment(body, required=True)
    with transaction.atomic():
        submission = _locked(submission)
        _check_review(actor, submission)
        if submission.status != Status.SUBMITTED:
            raise ValidationError(
                _("Comments can be added only while the lesson waits for review.")
            )
        duration = submission.video.duration or 0
        if not isinstance(at_seconds, int) or not 0 <= at_seconds <= duration:
            raise ValidationError(
                _("Choose a moment within the video, between 0:00 and %(end)s.")
                % {"end": mmss(duration)}
            )
        return VideoReviewComment.objects.create(
            submission=submission,
            video=submission.video,
            author=actor,
            at_seconds=at_seconds,
            body=body,
        )


def _notify(submission: VideoLessonSubmission, text: str) -> None:
    url = reverse("supervision:video_lesson_detail", args=[submission.pk])
    notice_send(person=submission.person, text=text, url=url)


def _entry_for(
    *, actor: User, submission: VideoLessonSubmission, comment: str, request
) -> PracticeEntry:
    """The approved practice entry a video lesson counts as, made through
    the practice log's own services (hours and history as usual)."""
    person = submission.person
    entry = practice_entry_create(
        actor=person,
        kind=PracticeEntry.Kind.VIDEO_LESSON,
        occurred_on=timezone.localdate(submission.submitted_at),
        minutes=max(1, math.ceil(submission.video.duration / 60)),
        title=submission.title,
    )
    # Each step gets the row fresh: the services lock and re-read it.
    practice_entry_submit(actor=person, entry=_fresh(entry), request=request)
    practice_entry_approve(
        actor=actor, entry=_fresh(entry), comment=comment, request=request
    )
    return _fresh(entry)


def _fresh(entry: PracticeEntry) -> PracticeEntry:
    return PracticeEntry.objects.get(pk=entry.pk)


def video_lesson_approve(
    *,
    actor: User,
    submission: VideoLessonSubmission,
    comment: str = "",
    request: HttpRequest | None = None,
) -> VideoLessonSubmission:
    """A supervisor of the trainee approves the lesson.

    In one transaction: an approved practice entry of kind video lesson
    (minutes: the video's duration rounded up) is made, submitted and
    approved through the practice log's services, so the hours are credited
    once, and it is linked to the submission.  Approving twice is refused.
    """
    comment = _clean_comment(comment, required=False)
    with transaction.atomic():
        submission = _locked(submission)
        _check_review(actor, submission)
        status_check(submission, to=Status.APPROVED)
        entry = _entry_for(
            actor=actor, submission=submission, comment=comment, request=request
        )
        submission.entry = entry
        _review(submission, actor=actor, to=Status.APPROVED, comment=comment)
        _notify(
            submission,
            _("Your video lesson “%(title)s” was approved.")
            % {"title": submission.title},
        )
    return submission


def _review(submission, *, actor: User, to: str, comment: str) -> None:
    submission.reviewed_by = actor
    submission.reviewed_at = timezone.now()
    status_change(
        submission,
        to=to,
        actor=actor,
        comment=comment,
        update_fields=["reviewed_by", "reviewed_at", "entry"],
    )


def video_lesson_return(
    *,
    actor: User,
    submission: VideoLessonSubmission,
    comment: str,
    request: HttpRequest | None = None,
) -> VideoLessonSubmission:
    """A supervisor of the trainee returns the lesson with a comment; the
    trainee may then hand in a new video."""
    comment = _clean_comment(comment, required=True)
    with transaction.atomic():
        submission = _locked(submission)
        _check_review(actor, submission)
        status_check(submission, to=Status.RETURNED)
        _review(submission, actor=actor, to=Status.RETURNED, comment=comment)
        _notify(
            submission,
            _("Your video lesson “%(title)s” was returned: %(comment)s")
            % {"title": submission.title, "comment": comment},
        )
    return submission
