"""Watch progress, quizzes and completion: hours are credited exactly once."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from courses.models import LessonProgress, QuizAttempt
from courses.services import progress as svc
from lms.core.models import HoursCategory, HoursEntry
from tests.factories.courses import (
    MULTIPLE_QUESTION,
    SINGLE_QUESTION,
    make_lesson,
    make_module,
    make_ready_video,
    make_syllabus,
)

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def course(org):
    syllabus = make_syllabus()
    module = make_module(syllabus)
    video = make_ready_video(org.city, duration=60)
    lesson = make_lesson(module, "压力管理", video=video, hours="1.5")
    return {"syllabus": syllabus, "module": module, "video": video, "lesson": lesson}


def report(person, lesson, ranges, *, at, started=T0, position=0):
    return svc.lesson_progress_report(
        person=person,
        lesson=lesson,
        ranges=ranges,
        position=position,
        view_started=started,
        now=at,
    )


def credits(person):
    return HoursEntry.objects.filter(person=person)


def test_watching_the_whole_video_completes_and_credits_the_hours_once(org, course):
    # given a trainee who watches 0–30 s then 30–60 s, reporting as they go
    trainee, lesson = org.trainee, course["lesson"]
    report(trainee, lesson, [[0, 30]], at=T0 + datetime.timedelta(seconds=30))
    progress = report(
        trainee, lesson, [[0, 60]], at=T0 + datetime.timedelta(seconds=60), position=60
    )
    # then the lesson is complete and 1.5 hours of online theory are credited
    assert progress.completed_at is not None
    entry = credits(trainee).get()
    assert entry.category == HoursCategory.ONLINE_THEORY
    assert str(entry.hours) == "1.50"
    assert entry.unit_id == org.east_room.pk
    assert entry.source_label == "压力管理"
    # and reporting again credits nothing more
    report(trainee, lesson, [[0, 60]], at=T0 + datetime.timedelta(seconds=90))
    assert credits(trainee).count() == 1


def test_seeking_to_the_end_does_not_complete(org, course):
    progress = report(
        org.trainee,
        course["lesson"],
        [[0, 2], [57, 60]],
        at=T0 + datetime.timedelta(seconds=120),
    )
    assert progress.completed_at is None
    assert progress.watched_seconds == pytest.approx(5)
    assert not credits(org.trainee).exists()


def test_replaying_the_last_seconds_many_times_does_not_complete(org, course):
    at = T0
    for _ in range(20):
        at += datetime.timedelta(seconds=10)
        progress = report(org.trainee, course["lesson"], [[50, 60]], at=at)
    assert progress.watched_seconds == pytest.approx(10)
    assert progress.completed_at is None


def test_a_forged_report_of_the_whole_video_right_after_opening_is_capped(org, course):
    progress = report(
        org.trainee, course["lesson"], [[0, 60]], at=T0 + datetime.timedelta(seconds=3)
    )
    assert progress.watched_seconds == pytest.approx(3 * 2 + 5)
    assert progress.completed_at is None


def test_position_is_kept_for_resuming_and_clamped_to_the_video(org, course):
    progress = report(
        org.trainee,
        course["lesson"],
        [[0, 20]],
        at=T0 + datetime.timedelta(seconds=20),
        position=999,
    )
    assert progress.position == 60


@pytest.mark.parametrize(
    "ranges",
    ["0-60", [[0]], [["a", "b"]], [[float("nan"), 3]], [[0, 1]] * 201, None],
)
def test_malformed_reports_are_refused_and_write_nothing(org, course, ranges):
    with pytest.raises(ValidationError):
        report(org.trainee, course["lesson"], ranges, at=T0)
    assert not LessonProgress.objects.exists()


def test_a_lesson_without_a_ready_video_refuses_reports(org, course):
    video = course["video"]
    video.status = video.Status.PROCESSING
    video.save()
    with pytest.raises(ValidationError):
        report(org.trainee, course["lesson"], [[0, 5]], at=T0)


def test_a_locked_lesson_refuses_progress_until_its_prerequisite_is_done(org, course):
    locked = make_lesson(
        course["module"],
        "执勤执法中的情绪管理",
        video=course["video"],
        prerequisites=[course["lesson"]],
    )
    with pytest.raises(PermissionDenied):
        report(org.trainee, locked, [[0, 5]], at=T0)
    report(
        org.trainee, course["lesson"], [[0, 60]], at=T0 + datetime.timedelta(seconds=60)
    )
    assert report(org.trainee, locked, [[0, 5]], at=T0 + datetime.timedelta(seconds=70))


def quiz_lesson(course, *, video=None, pass_mark=100):
    lesson = make_lesson(
        course["module"],
        "情绪管理",
        video=video,
        quiz=[SINGLE_QUESTION, MULTIPLE_QUESTION],
    )
    lesson.quiz_pass_mark = pass_mark
    lesson.save()
    return lesson


def answers_for(lesson, single, multiple):
    ids = [block.id for block in lesson.quiz]
    return {ids[0]: single, ids[1]: multiple}


def test_passing_the_quiz_completes_a_lesson_without_video(org, course):
    lesson = quiz_lesson(course)
    attempt = svc.lesson_quiz_submit(
        person=org.trainee,
        lesson=lesson,
        answers=answers_for(lesson, ["1"], ["0", "1"]),
    )
    assert attempt.passed and attempt.score == 100
    assert LessonProgress.objects.get(person=org.trainee, lesson=lesson).completed_at
    assert credits(org.trainee).count() == 1


def test_a_multiple_choice_answer_with_a_wrong_choice_scores_nothing(org, course):
    lesson = quiz_lesson(course, pass_mark=60)
    attempt = svc.lesson_quiz_submit(
        person=org.trainee,
        lesson=lesson,
        answers=answers_for(lesson, ["1"], ["0", "1", "2"]),
    )
    assert attempt.score == 50 and not attempt.passed
    assert not credits(org.trainee).exists()


def test_video_and_quiz_are_both_needed_when_both_exist(org, course):
    lesson = quiz_lesson(course, video=course["video"])
    svc.lesson_quiz_submit(
        person=org.trainee,
        lesson=lesson,
        answers=answers_for(lesson, ["1"], ["0", "1"]),
    )
    assert not credits(org.trainee).exists()
    report(org.trainee, lesson, [[0, 60]], at=T0 + datetime.timedelta(seconds=60))
    assert credits(org.trainee).count() == 1


@pytest.mark.parametrize(
    "answers, message",
    [
        ({}, "answer every question"),
        ("one-missing", "answer every question"),
        ("two-for-single", "takes one answer"),
    ],
)
def test_incomplete_quiz_answers_are_refused_and_nothing_is_kept(
    org, course, answers, message
):
    lesson = quiz_lesson(course)
    if answers == "one-missing":
        answers = {lesson.quiz[0].id: ["1"]}
    elif answers == "two-for-single":
        answers = answers_for(lesson, ["0", "1"], ["0"])
    with pytest.raises(ValidationError, match=message):
        from django.utils.translation import override

        with override("en"):
            svc.lesson_quiz_submit(person=org.trainee, lesson=lesson, answers=answers)
    assert not QuizAttempt.objects.exists()


def test_mark_read_completes_a_text_only_lesson_and_is_refused_for_a_video_lesson(
    org, course
):
    text_only = make_lesson(course["module"], "跟岗值班须知")
    svc.lesson_mark_read(person=org.trainee, lesson=text_only)
    assert credits(org.trainee).count() == 1
    with pytest.raises(ValidationError):
        svc.lesson_mark_read(person=org.trainee, lesson=course["lesson"])


def test_a_lesson_worth_zero_hours_completes_without_a_ledger_row(org, course):
    lesson = make_lesson(course["module"], "导言", video=course["video"], hours="0")
    progress = report(
        org.trainee, lesson, [[0, 60]], at=T0 + datetime.timedelta(seconds=60)
    )
    assert progress.completed_at is not None
    assert not credits(org.trainee).exists()


@pytest.mark.django_db(transaction=True)
def test_two_tabs_completing_at_once_credit_the_hours_once(org, course):
    # given two reports that each complete the lesson, sent at the same time
    trainee, lesson = org.trainee, course["lesson"]
    barrier = threading.Barrier(2)
    errors = []

    def tab():
        try:
            barrier.wait()
            report(
                trainee,
                lesson,
                [[0, 60]],
                at=timezone.now(),
                started=timezone.now() - datetime.timedelta(minutes=2),
            )
        except Exception as error:  # noqa: BLE001 - surfaced below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one credit exists and one progress row
    assert not errors, errors
    assert credits(trainee).count() == 1
    assert LessonProgress.objects.filter(person=trainee, lesson=lesson).count() == 1
