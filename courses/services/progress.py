"""Progress services: watch reports, quiz submissions and completion.

Completing a lesson credits its hours in the ledger exactly once: the
progress row is locked while it is updated, ``completed_at`` is written
once, and ``hours_credit`` is itself idempotent per lesson and person.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import intervals
from courses.models import LessonPage, LessonProgress, QuizAttempt
from courses.selectors.learn import Schedule, missing_prerequisites
from lms.core.models import HoursCategory, User
from lms.core.services.ledger import hours_credit

MAX_REPORTED_RANGES = 200


def _locked_progress(*, person: User, lesson: LessonPage) -> LessonProgress:
    LessonProgress.objects.get_or_create(person=person, lesson=lesson)
    return LessonProgress.objects.select_for_update().get(person=person, lesson=lesson)


def _check_open(*, person: User, lesson: LessonPage) -> None:
    if missing_prerequisites(user=person, lesson=lesson):
        raise PermissionDenied(_("Complete the prerequisite lessons first."))
    opens_on = Schedule.for_user(person).opens_on(lesson)
    if opens_on is not None:
        raise PermissionDenied(
            _("This lesson opens on %(date)s.") % {"date": opens_on.isoformat()}
        )


def _parse_ranges(ranges) -> list[intervals.Interval]:
    if not isinstance(ranges, list) or len(ranges) > MAX_REPORTED_RANGES:
        raise ValidationError(_("The progress report is not in the expected form."))
    parsed = []
    for item in ranges:
        try:
            start, end = (float(item[0]), float(item[1]))
        except (TypeError, ValueError, IndexError, KeyError):
            raise ValidationError(
                _("The progress report is not in the expected form.")
            ) from None
        if start != start or end != end:  # NaN
            raise ValidationError(_("The progress report is not in the expected form."))
        parsed.append((start, end))
    return parsed


def lesson_progress_report(
    *,
    person: User,
    lesson: LessonPage,
    ranges,
    position: float,
    view_started: datetime,
    now: datetime | None = None,
) -> LessonProgress:
    """Record the stretches of video the player says it played.

    The caller has found the lesson through ``lessons_visible_to``; this
    refuses a locked lesson.  New seconds are capped by the time since the
    page was opened or the last report (``courses.intervals``), so a forged
    report cannot complete a lesson faster than it can be watched.
    Completion, and the hours it credits, happen at most once.
    """
    video = lesson.video
    if video is None or not video.is_ready or not video.duration:
        raise ValidationError(_("This lesson has no playable video."))
    _check_open(person=person, lesson=lesson)
    reported = _parse_ranges(ranges)
    now = now or timezone.now()
    with transaction.atomic():
        progress = _locked_progress(person=person, lesson=lesson)
        since = max(filter(None, [view_started, progress.last_report_at]))
        progress.intervals = [
            list(span)
            for span in intervals.add_report(
                [tuple(span) for span in progress.intervals],
                reported,
                duration=video.duration,
                elapsed_seconds=(now - since).total_seconds(),
            )
        ]
        progress.watched_seconds = intervals.length(progress.intervals)
        progress.duration = video.duration
        progress.position = min(max(0.0, float(position or 0)), video.duration)
        progress.last_report_at = now
        if progress.video_done_at is None and intervals.is_complete(
            progress.intervals, duration=video.duration
        ):
            progress.video_done_at = now
        progress.save()
        _complete_if_done(progress=progress, lesson=lesson, now=now)
    return progress


def grade_quiz(lesson: LessonPage, answers: dict[str, list[str]]) -> tuple[int, dict]:
    """Score ``answers`` (question id → chosen answer indexes) in percent.

    A question scores when exactly its correct answers are chosen.
    Returns the score and, per question id, whether it was right.
    """
    results = {}
    for block in lesson.quiz:
        chosen = {str(i) for i in answers.get(block.id, [])}
        correct = {str(i) for i, c in enumerate(block.value["choices"]) if c["correct"]}
        results[block.id] = chosen == correct
    if not results:
        return 100, results
    return round(100 * sum(results.values()) / len(results)), results


def lesson_quiz_submit(
    *, person: User, lesson: LessonPage, answers: dict[str, list[str]]
) -> QuizAttempt:
    """Grade and keep a quiz attempt; passing may complete the lesson.

    Every question must be answered (a sentence says so otherwise); a
    single-choice question takes one answer.  Attempts are unlimited and
    all kept.
    """
    if not lesson.has_quiz:
        raise ValidationError(_("This lesson has no quiz."))
    _check_open(person=person, lesson=lesson)
    for block in lesson.quiz:
        chosen = answers.get(block.id, [])
        if not chosen:
            raise ValidationError(_("Please answer every question."))
        if block.value["kind"] == "single" and len(chosen) > 1:
            raise ValidationError(_("A single-choice question takes one answer."))
    score, _results = grade_quiz(lesson, answers)
    passed = score >= lesson.quiz_pass_mark
    now = timezone.now()
    with transaction.atomic():
        attempt = QuizAttempt.objects.create(
            person=person,
            lesson=lesson,
            answers={key: list(value) for key, value in answers.items()},
            score=score,
            passed=passed,
        )
        if passed:
            progress = _locked_progress(person=person, lesson=lesson)
            if progress.quiz_passed_at is None:
                progress.quiz_passed_at = now
                progress.save(update_fields=["quiz_passed_at", "updated_at"])
            _complete_if_done(progress=progress, lesson=lesson, now=now)
    return attempt


def lesson_mark_read(*, person: User, lesson: LessonPage) -> LessonProgress:
    """Complete a lesson that has neither a video nor a quiz, on the
    trainee's word that they have read it."""
    if lesson.video_id is not None or lesson.has_quiz:
        raise ValidationError(_("This lesson is completed by watching and the quiz."))
    _check_open(person=person, lesson=lesson)
    with transaction.atomic():
        progress = _locked_progress(person=person, lesson=lesson)
        _complete_if_done(progress=progress, lesson=lesson, now=timezone.now())
    return progress


def _complete_if_done(
    *, progress: LessonProgress, lesson: LessonPage, now: datetime
) -> None:
    """Mark the lesson complete and credit its hours, once.  The caller
    holds the progress row's lock."""
    if progress.completed_at is not None:
        return
    if lesson.video_id is not None and progress.video_done_at is None:
        return
    if lesson.has_quiz and progress.quiz_passed_at is None:
        return
    progress.completed_at = now
    progress.save(update_fields=["completed_at", "updated_at"])
    # People outside the organisation tree (platform administrators trying
    # a lesson) have no unit to credit.
    if lesson.credit_hours > 0 and progress.person.home_unit_id is not None:
        hours_credit(
            person=progress.person,
            category=HoursCategory.ONLINE_THEORY,
            hours=lesson.credit_hours,
            source=lesson,
            earned_on=timezone.localdate(now),
            label=lesson.title,
        )
