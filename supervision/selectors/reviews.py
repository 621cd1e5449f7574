"""Trainee video lessons as seen by their author and their reviewers.

The rule for reviewing is the rule for signing off practice: a supervisor
of the trainee (``supervision.permissions.is_supervisor_of``), holding
the supervisor role, and never the trainee.  Everyone else gets 404,
coordinators and leaders too: a trainee's recording is between them and
their supervisors.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import Video
from lms.core.models import User

from ..models import ReviewTransition, VideoLessonSubmission, VideoReviewComment
from .people import supervised_person_q


def video_lessons_reviewable_by(*, user: User) -> QuerySet[VideoLessonSubmission]:
    """Submissions of the people whose practice ``user`` supervises; never
    their own.  Queryset form of ``supervision.permissions.can_review``."""
    return VideoLessonSubmission.objects.filter(
        supervised_person_q(user, field="person")
    )


def video_lessons_visible_to(*, user: User) -> QuerySet[VideoLessonSubmission]:
    """The user's own video lessons and those of the people they supervise."""
    if not user.is_authenticated:
        return VideoLessonSubmission.objects.none()
    reviewable = supervised_person_q(user, field="person")
    return VideoLessonSubmission.objects.filter(
        Q(person=user) | reviewable
    ).select_related("person", "video", "lesson", "entry", "reviewed_by")


def video_lesson_get_for(*, user: User, pk: int) -> VideoLessonSubmission:
    """One video lesson the user may see, else 404."""
    return get_object_or_404(video_lessons_visible_to(user=user), pk=pk)


def video_lessons_of(*, user: User) -> QuerySet[VideoLessonSubmission]:
    """The user's own submissions, newest first, with their video's status."""
    return VideoLessonSubmission.objects.filter(person=user).select_related(
        "video", "lesson", "reviewed_by"
    )


def video_reviews_waiting_for(*, user: User) -> QuerySet[VideoLessonSubmission]:
    """Submissions of the user's supervisees whose video is ready and which
    wait for a review, oldest first."""
    return (
        video_lessons_reviewable_by(user=user)
        .filter(
            status=VideoLessonSubmission.Status.SUBMITTED,
            video__status=Video.Status.READY,
        )
        .select_related("person", "person__home_unit", "video", "lesson")
        .order_by("submitted_at", "id")
    )


def mmss(seconds: float) -> str:
    """``seconds`` as m:ss (rounded down), as the player shows time."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def review_comments_of(
    submission: VideoLessonSubmission,
) -> tuple[list[VideoReviewComment], list[VideoReviewComment]]:
    """The comments on the current video, and those on earlier versions,
    each with ``at_label`` (m:ss as the player shows time)."""
    comments = list(submission.comments.select_related("author"))
    for comment in comments:
        comment.at_label = mmss(comment.at_seconds)
    current = [c for c in comments if c.video_id == submission.video_id]
    earlier = [c for c in comments if c.video_id != submission.video_id]
    return current, earlier


def review_history_of(submission: VideoLessonSubmission) -> list[ReviewTransition]:
    """The review steps, each with the statuses' labels."""
    labels = dict(VideoLessonSubmission.Status.choices)
    steps = list(
        ReviewTransition.objects.filter(submission=submission).select_related("actor")
    )
    for step in steps:
        step.from_label = labels.get(step.from_status, "")
        step.to_label = labels.get(step.to_status, step.to_status)
    return steps
