"""Trainee video lessons: submission through the courses pipeline, review
transitions, who may review, timestamped comments, approval as practice."""

import shutil

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import Video
from courses.video_files import local_root, video_storage
from lms.core.models import HoursEntry, Notice, Role
from supervision.models import (
    PracticeEntry,
    ReviewTransition,
    VideoLessonSubmission,
    VideoReviewComment,
)
from supervision.services import reviews as svc
from tests.courses import clips
from tests.factories.core import UserFactory
from tests.factories.courses import make_lesson, make_module, make_syllabus
from tests.factories.reviews import clip_upload, make_submission
from tests.factories.supervision import assign, pair

Status = VideoLessonSubmission.Status


@pytest.fixture(autouse=True)
def _empty_storage():
    root = local_root(video_storage())
    shutil.rmtree(root, ignore_errors=True)
    yield
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def team(org):
    assign(org.trainee, org.supervisor)
    org.other_supervisor = UserFactory(
        username="other_supervisor", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    return org


def stored_files() -> list:
    root = local_root(video_storage())
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def as_upload(path, content_type="video/mp4"):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type=content_type)


# --- submission -----------------------------------------------------------------


def test_trainee_submits_a_short_clip_which_is_queued_in_their_home_unit(
    team, tmp_path
):
    # when
    submission = svc.video_lesson_submit(
        actor=team.trainee, title=" 倾听技术 ", file=clip_upload(tmp_path)
    )
    # then
    assert submission.status == Status.SUBMITTED
    assert submission.title == "倾听技术"
    assert submission.video.unit == team.east_room
    assert submission.video.status == Video.Status.QUEUED
    assert submission.video.uploaded_by == team.trainee
    assert [(t.from_status, t.to_status) for t in submission.transitions.all()] == [
        ("", Status.SUBMITTED)
    ]


def test_a_lesson_the_trainee_can_open_may_be_named(team, tmp_path):
    lesson = make_lesson(make_module(make_syllabus()))
    submission = svc.video_lesson_submit(
        actor=team.trainee, title="课后练习", lesson=lesson, file=clip_upload(tmp_path)
    )
    assert submission.lesson == lesson


def test_a_lesson_the_trainee_cannot_open_is_refused(team, tmp_path):
    draft = make_lesson(make_module(make_syllabus()), live=False)
    with pytest.raises(ValidationError):
        svc.video_lesson_submit(
            actor=team.trainee,
            title="课后练习",
            lesson=draft,
            file=clip_upload(tmp_path),
        )
    assert not VideoLessonSubmission.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    "make", [clips.png_as_mp4, clips.empty_mp4, clips.text_as_mp4, clips.html_as_mp4]
)
def test_a_file_that_is_not_a_video_is_refused_and_nothing_is_kept(
    team, tmp_path, make
):
    # given
    path = make(tmp_path)
    # when
    with pytest.raises(ValidationError) as refused:
        svc.video_lesson_submit(actor=team.trainee, title="微课", file=as_upload(path))
    # then
    assert refused.value.messages[0].endswith((".", "。"))
    assert not VideoLessonSubmission.objects.exists()
    assert not Video.objects.exists()
    assert stored_files() == []


def test_a_lesson_over_five_minutes_is_refused_even_where_longer_videos_are_allowed(
    team, tmp_path, settings
):
    # given: courses accept ten-minute videos here
    settings.LMS_VIDEO_MAX_SECONDS = 600
    path = clips.long_clip(tmp_path, seconds=310)
    # when
    with pytest.raises(ValidationError) as refused:
        svc.video_lesson_submit(actor=team.trainee, title="微课", file=as_upload(path))
    # then
    assert refused.value.code == "too_long"
    assert not Video.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    "title", ["", "   ", "长" * 121, "名称\x00"], ids=["empty", "blank", "huge", "nul"]
)
def test_a_bad_title_is_refused_before_anything_is_stored(team, tmp_path, title):
    with pytest.raises(ValidationError):
        svc.video_lesson_submit(
            actor=team.trainee, title=title, file=clip_upload(tmp_path)
        )
    assert not Video.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("who", ["supervisor", "coordinator", "leader"])
def test_only_trainees_hand_in_video_lessons(team, tmp_path, who):
    with pytest.raises(PermissionDenied):
        svc.video_lesson_submit(
            actor=getattr(team, who), title="微课", file=clip_upload(tmp_path)
        )
    assert not Video.objects.exists()


# --- transitions ----------------------------------------------------------------

ACTIONS = {
    "approve": lambda org, s: svc.video_lesson_approve(
        actor=org.supervisor, submission=s
    ),
    "return": lambda org, s: svc.video_lesson_return(
        actor=org.supervisor, submission=s, comment="请重录开头"
    ),
}
TARGET = {"approve": Status.APPROVED, "return": Status.RETURNED}


def _approved_entry(org):
    return PracticeEntry.objects.create(
        person=org.trainee,
        unit=org.east_room,
        kind=PracticeEntry.Kind.VIDEO_LESSON,
        status=PracticeEntry.Status.APPROVED,
        occurred_on="2025-01-02",
        minutes=3,
        approved_by=org.supervisor,
    )


@pytest.mark.parametrize("action", ["approve", "return"])
@pytest.mark.parametrize("start", list(Status))
def test_every_review_transition_is_allowed_or_refused_by_the_table(
    team, start, action
):
    # given
    entry = _approved_entry(team) if start == Status.APPROVED else None
    submission = make_submission(team.trainee, status=start, entry=entry)
    allowed = TARGET[action] in VideoLessonSubmission.TRANSITIONS[start]
    # when / then
    if allowed:
        ACTIONS[action](team, submission)
        submission.refresh_from_db()
        assert submission.status == TARGET[action]
        step = submission.transitions.get()
        assert (step.from_status, step.to_status, step.actor) == (
            start,
            TARGET[action],
            team.supervisor,
        )
    else:
        with pytest.raises(ValidationError):
            ACTIONS[action](team, submission)
        submission.refresh_from_db()
        assert submission.status == start
        assert not submission.transitions.exists()


@pytest.mark.parametrize("start", list(Status))
def test_a_new_video_is_taken_only_for_a_returned_lesson(team, tmp_path, start):
    entry = _approved_entry(team) if start == Status.APPROVED else None
    submission = make_submission(team.trainee, status=start, entry=entry)
    if start == Status.RETURNED:
        result = svc.video_lesson_resubmit(
            actor=team.trainee, submission=submission, file=clip_upload(tmp_path)
        )
        assert result.status == Status.SUBMITTED
        assert result.video != submission.video
    else:
        with pytest.raises(ValidationError):
            svc.video_lesson_resubmit(
                actor=team.trainee, submission=submission, file=clip_upload(tmp_path)
            )
        assert Video.objects.count() == 1


def test_a_video_that_failed_processing_may_be_replaced_while_waiting(team, tmp_path):
    # given
    submission = make_submission(team.trainee, ready=False)
    Video.objects.filter(pk=submission.video_id).update(
        status=Video.Status.FAILED, failure_code="damaged"
    )
    # when
    result = svc.video_lesson_resubmit(
        actor=team.trainee, submission=submission, file=clip_upload(tmp_path)
    )
    # then
    assert result.status == Status.SUBMITTED
    assert result.video.status == Video.Status.QUEUED
    assert result.transitions.get().comment


def test_only_the_trainee_hands_in_a_new_video(team, tmp_path):
    submission = make_submission(team.trainee, status=Status.RETURNED)
    with pytest.raises(PermissionDenied):
        svc.video_lesson_resubmit(
            actor=team.supervisor, submission=submission, file=clip_upload(tmp_path)
        )


def test_a_resubmission_keeps_the_old_comments_on_the_old_video(team, tmp_path):
    # given
    submission = make_submission(team.trainee)
    old_video = submission.video
    svc.video_review_comment(
        actor=team.supervisor, submission=submission, at_seconds=12, body="语速太快"
    )
    svc.video_lesson_return(
        actor=team.supervisor, submission=submission, comment="请重录"
    )
    # when
    svc.video_lesson_resubmit(
        actor=team.trainee, submission=submission, file=clip_upload(tmp_path)
    )
    # then
    submission.refresh_from_db()
    comment = VideoReviewComment.objects.get()
    assert comment.video == old_video != submission.video
    assert comment.submission == submission
    assert list(submission.transitions.values_list("from_status", "to_status")) == [
        (Status.SUBMITTED, Status.RETURNED),
        (Status.RETURNED, Status.SUBMITTED),
    ]


# --- who may review --------------------------------------------------------------


def test_a_mentor_holding_the_supervisor_role_may_review(org):
    mentor = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR, Role.TRAINEE])
    pair(mentor, org.trainee, by=org.coordinator)
    submission = make_submission(org.trainee)
    svc.video_lesson_return(actor=mentor, submission=submission, comment="再练练")
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED


@pytest.mark.parametrize(
    "who", ["other_supervisor", "trainee", "coordinator", "leader", "sibling"]
)
@pytest.mark.parametrize("action", ["approve", "return", "comment"])
def test_only_the_trainees_supervisors_review(team, who, action):
    # given
    submission = make_submission(team.trainee)
    actor = getattr(team, who)
    calls = {
        "approve": lambda: svc.video_lesson_approve(actor=actor, submission=submission),
        "return": lambda: svc.video_lesson_return(
            actor=actor, submission=submission, comment="不行"
        ),
        "comment": lambda: svc.video_review_comment(
            actor=actor, submission=submission, at_seconds=1, body="嗯"
        ),
    }
    # when / then
    with pytest.raises(PermissionDenied):
        calls[action]()
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert not VideoReviewComment.objects.exists()
    assert not PracticeEntry.objects.exists()


def test_a_trainee_who_is_also_a_supervisor_cannot_review_their_own(team):
    team.supervisor.groups.add(*team.trainee.groups.all())
    mine = make_submission(team.supervisor)
    assign(team.supervisor, team.other_supervisor)
    with pytest.raises(PermissionDenied):
        svc.video_lesson_approve(actor=team.supervisor, submission=mine)


def test_a_video_still_being_prepared_cannot_be_reviewed(team):
    submission = make_submission(team.trainee, ready=False)
    with pytest.raises(ValidationError):
        svc.video_lesson_approve(actor=team.supervisor, submission=submission)
    with pytest.raises(ValidationError):
        svc.video_review_comment(
            actor=team.supervisor, submission=submission, at_seconds=0, body="嗯"
        )


# --- comments ---------------------------------------------------------------------


def test_comments_are_pinned_to_moments_within_the_video(team):
    submission = make_submission(team.trainee, duration=125.4)
    first = svc.video_review_comment(
        actor=team.supervisor, submission=submission, at_seconds=0, body=" 开场好 "
    )
    last = svc.video_review_comment(
        actor=team.supervisor, submission=submission, at_seconds=125, body="结尾"
    )
    assert (first.at_seconds, first.body, first.video) == (
        0,
        "开场好",
        submission.video,
    )
    assert last.at_seconds == 125


@pytest.mark.parametrize(
    ("at_seconds", "body"),
    [
        (126, "超出时长"),
        (-1, "负数"),
        (10**9, "很大"),
        ("12", "不是整数"),
        (5, ""),
        (5, "   "),
        (5, "长" * 2001),
        (5, "空\x00字符"),
    ],
    ids=[
        "past-end",
        "negative",
        "huge-time",
        "not-int",
        "empty",
        "blank",
        "huge",
        "nul",
    ],
)
def test_a_bad_comment_is_refused_with_a_sentence(team, at_seconds, body):
    submission = make_submission(team.trainee, duration=125.4)
    with pytest.raises(ValidationError) as refused:
        svc.video_review_comment(
            actor=team.supervisor,
            submission=submission,
            at_seconds=at_seconds,
            body=body,
        )
    assert refused.value.messages[0].rstrip().endswith((".", "。"))
    assert not VideoReviewComment.objects.exists()


def test_hostile_markup_in_a_comment_is_kept_as_text(team):
    submission = make_submission(team.trainee)
    comment = svc.video_review_comment(
        actor=team.supervisor,
        submission=submission,
        at_seconds=3,
        body="<script>alert(1)</script>",
    )
    assert comment.body == "<script>alert(1)</script>"


def test_comments_close_once_the_lesson_is_returned(team):
    submission = make_submission(team.trainee, status=Status.RETURNED)
    with pytest.raises(ValidationError):
        svc.video_review_comment(
            actor=team.supervisor, submission=submission, at_seconds=1, body="晚了"
        )


# --- approval and return -----------------------------------------------------------


def test_approval_makes_one_approved_video_lesson_entry_and_credits_hours_once(team):
    # given: 125 s of video
    submission = make_submission(team.trainee, duration=125.0)
    # when
    svc.video_lesson_approve(
        actor=team.supervisor, submission=submission, comment="很好"
    )
    with pytest.raises(ValidationError):
        svc.video_lesson_approve(actor=team.supervisor, submission=submission)
    # then
    submission.refresh_from_db()
    entry = PracticeEntry.objects.get()
    assert submission.entry == entry
    assert (entry.person, entry.kind, entry.status, entry.minutes) == (
        team.trainee,
        PracticeEntry.Kind.VIDEO_LESSON,
        PracticeEntry.Status.APPROVED,
        3,
    )
    assert entry.approved_by == team.supervisor
    assert entry.title == submission.title
    assert list(entry.transitions.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "approved",
    ]
    assert HoursEntry.objects.filter(person=team.trainee).count() == 1
    assert submission.reviewed_by == team.supervisor
    assert ReviewTransition.objects.filter(to_status=Status.APPROVED).count() == 1


def test_a_very_short_lesson_counts_one_minute(team):
    submission = make_submission(team.trainee, duration=4.2)
    svc.video_lesson_approve(actor=team.supervisor, submission=submission)
    assert PracticeEntry.objects.get().minutes == 1


def test_a_too_long_approval_comment_leaves_nothing_half_done(team):
    submission = make_submission(team.trainee)
    with pytest.raises(ValidationError):
        svc.video_lesson_approve(
            actor=team.supervisor, submission=submission, comment="长" * 2001
        )
    assert not PracticeEntry.objects.exists()
    assert not HoursEntry.objects.exists()


@pytest.mark.parametrize("comment", ["", "   ", "长" * 2001, "坏\x00"])
def test_a_return_needs_a_sensible_comment(team, comment):
    submission = make_submission(team.trainee)
    with pytest.raises(ValidationError):
        svc.video_lesson_return(
            actor=team.supervisor, submission=submission, comment=comment
        )
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_the_trainee_is_told_of_a_return_and_of_an_approval(team):
    submission = make_submission(team.trainee)
    svc.video_lesson_return(
        actor=team.supervisor, submission=submission, comment="请重录开头"
    )
    notice = Notice.objects.get(person=team.trainee)
    assert "请重录开头" in notice.text
    assert notice.url.endswith(f"/videos/{submission.pk}/")
