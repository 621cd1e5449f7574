"""Video lesson pages: who gets what, the upload form, the review page
with its comments and actions, and the permission-checked video files."""

import shutil

import pytest
from django.conf import settings
from django.urls import reverse

from courses.models import Video
from courses.video_files import local_root, video_storage
from lms.core.models import Role
from supervision.models import PracticeEntry, VideoLessonSubmission, VideoReviewComment
from tests.courses import clips
from tests.factories.core import UserFactory
from tests.factories.reviews import clip_upload, make_submission
from tests.factories.supervision import assign

Status = VideoLessonSubmission.Status
INBOX = "/practice/inbox/"


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


def detail_url(submission) -> str:
    return reverse("supervision:video_lesson_detail", args=[submission.pk])


# --- the list and the upload -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainee", 200),
        ("supervisor", 200),
        ("coordinator", 403),
        ("leader", 403),
        ("sibling", 403),
    ],
)
def test_the_list_page_is_for_trainees_and_supervisors(team, login, who, status):
    response = login(getattr(team, who)).get(reverse("supervision:video_lesson_list"))
    assert response.status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, team):
    submission = make_submission(team.trainee)
    for url in (
        reverse("supervision:video_lesson_list"),
        detail_url(submission),
        reverse("supervision:video_lesson_file", args=[submission.pk, "main"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_the_trainee_sees_each_submission_with_its_processing_status(team, login):
    # given
    make_submission(team.trainee, title="已就绪")
    queued = make_submission(team.trainee, title="排队中", ready=False)
    failed = make_submission(team.trainee, title="失败了", ready=False)
    Video.objects.filter(pk=failed.video_id).update(
        status=Video.Status.FAILED, failure_code="damaged"
    )
    client = login(team.trainee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = client.get(reverse("supervision:video_lesson_list"))
    # then
    html = response.content.decode()
    assert html.count('data-testid="mine-row"') == 3
    assert f'data-video-status="{Video.Status.QUEUED}"' in html
    assert 'data-testid="failure-reason"' in html
    assert "could not be processed" in html
    assert queued.title in html


def test_uploading_through_the_page_redirects_to_the_list(team, login, tmp_path):
    response = login(team.trainee).post(
        reverse("supervision:video_lesson_submit"),
        {"title": "共情练习", "file": clip_upload(tmp_path)},
    )
    assert response.status_code == 302
    assert VideoLessonSubmission.objects.get().title == "共情练习"


@pytest.mark.parametrize("make", [clips.png_as_mp4, clips.empty_mp4, clips.text_as_mp4])
def test_a_refused_upload_shows_the_reason_and_keeps_nothing(
    team, login, tmp_path, make
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = make(tmp_path)
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="video/mp4")
    response = login(team.trainee).post(
        reverse("supervision:video_lesson_submit"), {"title": "微课", "file": upload}
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not VideoLessonSubmission.objects.exists()
    assert not Video.objects.exists()


def test_an_upload_without_a_file_or_title_is_refused(team, login):
    response = login(team.trainee).post(
        reverse("supervision:video_lesson_submit"), {"title": ""}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "file"}


def test_supervisors_cannot_upload(team, login, tmp_path):
    response = login(team.supervisor).post(
        reverse("supervision:video_lesson_submit"),
        {"title": "微课", "file": clip_upload(tmp_path)},
    )
    assert response.status_code == 403


# --- the review page ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainee", 200),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("coordinator", 404),
        ("leader", 404),
        ("city_leader", 404),
        ("sibling", 404),
        ("west_trainee", 404),
    ],
)
def test_the_review_page_and_files_are_for_the_trainee_and_their_supervisors(
    team, login, who, status
):
    submission = make_submission(team.trainee)
    client = login(getattr(team, who))
    urls = [
        detail_url(submission),
        reverse("supervision:video_lesson_file", args=[submission.pk, "main"]),
        reverse("supervision:video_lesson_file", args=[submission.pk, "low"]),
        reverse("supervision:video_lesson_poster", args=[submission.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize("who", ["other_supervisor", "coordinator", "sibling"])
def test_outsiders_get_404_when_posting_too(team, login, who):
    submission = make_submission(team.trainee)
    client = login(getattr(team, who))
    for name, data in (
        ("video_lesson_approve", {}),
        ("video_lesson_return", {"comment": "不行"}),
        ("video_comment_create", {"at": "0:01", "body": "嗯"}),
        ("video_lesson_resubmit", {}),
    ):
        url = reverse(f"supervision:{name}", args=[submission.pk])
        assert client.post(url, data).status_code == 404, name
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_the_trainee_cannot_review_their_own_lesson(team, login):
    submission = make_submission(team.trainee)
    client = login(team.trainee)
    approve = reverse("supervision:video_lesson_approve", args=[submission.pk])
    assert client.post(approve).status_code == 403
    comment = reverse("supervision:video_comment_create", args=[submission.pk])
    assert client.post(comment, {"at": "0:01", "body": "自评"}).status_code == 403
    assert (
        'data-testid="comment-form"'
        not in client.get(detail_url(submission)).content.decode()
    )


def test_the_video_is_served_in_ranges_and_the_original_never(team, login):
    submission = make_submission(team.trainee)
    client = login(team.supervisor)
    url = reverse("supervision:video_lesson_file", args=[submission.pk, "main"])
    response = client.get(url, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 0-99/2048"
    original = reverse(
        "supervision:video_lesson_file", args=[submission.pk, "original"]
    )
    assert client.get(original).status_code == 404


def test_a_video_still_being_prepared_is_not_served(team, login):
    submission = make_submission(team.trainee, ready=False)
    client = login(team.supervisor)
    response = client.get(detail_url(submission))
    assert 'data-testid="video-preparing"' in response.content.decode()
    assert 'data-testid="comment-form"' not in response.content.decode()
    url = reverse("supervision:video_lesson_file", args=[submission.pk, "main"])
    assert client.get(url).status_code == 404


def test_the_reviewer_sees_the_player_comment_form_and_actions(team, login):
    submission = make_submission(team.trainee)
    html = login(team.supervisor).get(detail_url(submission) + "?t=30").content.decode()
    assert 'data-testid="video"' in html
    assert "main.mp4#t=30" in html
    assert 'data-testid="comment-now"' in html
    assert 'data-testid="approve-form"' in html
    assert 'data-testid="return-form"' in html


def test_a_comment_at_mm_ss_is_saved_and_links_to_its_moment(team, login):
    # given
    submission = make_submission(team.trainee, duration=125)
    client = login(team.supervisor)
    # when
    response = client.post(
        reverse("supervision:video_comment_create", args=[submission.pk]),
        {"at": "1:05", "body": "<b>这里停顿太长</b>"},
    )
    # then
    assert response.status_code == 302
    comment = VideoReviewComment.objects.get()
    assert comment.at_seconds == 65
    html = client.get(detail_url(submission)).content.decode()
    assert 'href="?t=65#player" data-seconds="65"' in html
    assert ">1:05</a>" in html
    assert "&lt;b&gt;这里停顿太长&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("at", "body"),
    [
        ("2:06", "超出"),
        ("9:99", "秒数不对"),
        ("abc", "不是时间"),
        ("", "空"),
        ("0:05", ""),
    ],
    ids=["past-end", "bad-seconds", "text", "no-time", "no-body"],
)
def test_a_bad_comment_is_shown_back_with_a_sentence(team, login, at, body):
    submission = make_submission(team.trainee, duration=125)
    client = login(team.supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("supervision:video_comment_create", args=[submission.pk]),
        {"at": at, "body": body},
    )
    assert response.status_code == 400
    assert response.context["comment_form"].errors
    assert not VideoReviewComment.objects.exists()


def test_approving_from_the_inbox_goes_back_to_the_inbox(team, login):
    submission = make_submission(team.trainee)
    response = login(team.supervisor).post(
        reverse("supervision:video_lesson_approve", args=[submission.pk]),
        {"comment": "", "next": INBOX},
    )
    assert response.status_code == 302
    assert response["Location"] == INBOX
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    assert PracticeEntry.objects.get().status == PracticeEntry.Status.APPROVED


def test_an_outside_next_is_ignored(team, login):
    submission = make_submission(team.trainee)
    response = login(team.supervisor).post(
        reverse("supervision:video_lesson_return", args=[submission.pk]),
        {"comment": "请重录", "next": "https://evil.example/"},
    )
    assert response["Location"] == detail_url(submission)


def test_a_return_without_a_comment_is_refused_in_place_or_back_in_the_inbox(
    team, login
):
    submission = make_submission(team.trainee)
    client = login(team.supervisor)
    url = reverse("supervision:video_lesson_return", args=[submission.pk])
    # on the review page: the form again
    response = client.post(url, {"comment": "  "})
    assert response.status_code == 400
    assert 'data-testid="return-errors"' in response.content.decode()
    # from the inbox: back there, with the reason
    response = client.post(url, {"comment": "", "next": INBOX}, follow=False)
    assert response["Location"] == INBOX
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_a_returned_lesson_offers_the_trainee_a_new_upload(team, login, tmp_path):
    # given
    submission = make_submission(team.trainee, status=Status.RETURNED)
    client = login(team.trainee)
    assert (
        'data-testid="resubmit-form"'
        in client.get(detail_url(submission)).content.decode()
    )
    # when
    response = client.post(
        reverse("supervision:video_lesson_resubmit", args=[submission.pk]),
        {"file": clip_upload(tmp_path)},
    )
    # then
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_a_refused_new_upload_is_shown_back(team, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    submission = make_submission(team.trainee, status=Status.RETURNED)
    path = clips.text_as_mp4(tmp_path)
    response = login(team.trainee).post(
        reverse("supervision:video_lesson_resubmit", args=[submission.pk]),
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED
