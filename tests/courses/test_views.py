"""Lesson pages, progress reports, quiz answers and video serving: wiring
and permissions."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import PageViewRestriction

from courses.models import LessonProgress
from lms.core.models import HoursEntry, role_group
from tests.factories.courses import (
    SINGLE_QUESTION,
    make_lesson,
    make_module,
    make_ready_video,
    make_syllabus,
)

DATA = bytes(range(256)) * 16  # 4 KiB of known bytes


@pytest.fixture
def course(org):
    syllabus = make_syllabus(slug="syllabus")
    module = make_module(syllabus, slug="theory")
    video = make_ready_video(org.east, duration=60, data=DATA)
    lesson = make_lesson(module, "压力管理", video=video, slug="stress")
    return {"syllabus": syllabus, "module": module, "video": video, "lesson": lesson}


def video_url(video, quality="main"):
    return reverse("courses:video_file", kwargs={"key": video.key, "quality": quality})


def post_report(client, lesson, token, ranges, position=0):
    return client.post(
        reverse("courses:progress_report", args=[lesson.pk]),
        data=json.dumps({"token": token, "ranges": ranges, "position": position}),
        content_type="application/json",
    )


def test_the_lesson_page_shows_the_player_with_both_qualities_and_a_token(
    org, course, login
):
    response = login(org.trainee).get(course["lesson"].url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="lesson-video"' in html
    assert (
        video_url(course["video"]) in html and video_url(course["video"], "low") in html
    )
    assert response.context["view_token"]


def test_anonymous_visitors_are_sent_to_log_in_for_every_syllabus_page(client, course):
    for page in (course["syllabus"], course["module"], course["lesson"]):
        response = client.get(page.url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_renditions_are_served_with_range_and_nosniff(org, course, login):
    client = login(org.trainee)
    response = client.get(video_url(course["video"]), HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Range"] == f"bytes 100-199/{len(DATA)}"
    assert b"".join(response.streaming_content) == DATA[100:200]


def test_the_poster_is_a_jpeg(org, course, login):
    response = login(org.trainee).get(
        reverse("courses:video_poster", kwargs={"key": course["video"].key})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_the_original_upload_is_never_served(org, course, login):
    client = login(org.coordinator)
    for quality in ("original", "../original", "source"):
        url = f"/learn/videos/{course['video'].key}/{quality}.mp4"
        assert client.get(url).status_code == 404


def test_a_video_in_no_visible_lesson_is_404_to_trainees(org, login):
    hidden = make_ready_video(org.east)
    assert login(org.trainee).get(video_url(hidden)).status_code == 404


def test_a_video_only_in_a_draft_lesson_is_404_to_trainees(org, course, login):
    draft_video = make_ready_video(org.east)
    make_lesson(course["module"], "草稿", video=draft_video, live=False)
    assert login(org.trainee).get(video_url(draft_video)).status_code == 404
    assert login(org.coordinator).get(video_url(draft_video)).status_code == 200


def test_a_lesson_restricted_to_a_group_is_hidden_from_others(org, course, login):
    restriction = PageViewRestriction.objects.create(
        page=course["module"], restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([role_group("supervisor")])
    assert login(org.trainee).get(video_url(course["video"])).status_code == 404
    assert login(org.supervisor).get(video_url(course["video"])).status_code == 200


def test_a_report_through_the_view_updates_progress(org, course, login):
    client = login(org.trainee)
    token = client.get(course["lesson"].url).context["view_token"]
    response = post_report(client, course["lesson"], token, [[0, 4]], position=4)
    assert response.status_code == 200
    body = response.json()
    assert body["completed"] is False
    assert LessonProgress.objects.get(person=org.trainee).position == 4


@pytest.mark.parametrize(
    "body, status",
    [
        ("not json", 400),
        ("[1, 2]", 400),
        (json.dumps({"token": "forged", "ranges": [[0, 1]]}), 409),
        (json.dumps({"token": "", "ranges": [[0, 1]]}), 409),
        ("{" + " " * 20000 + "}", 413),
    ],
)
def test_bad_reports_get_a_sentence_and_write_nothing(org, course, login, body, status):
    client = login(org.trainee)
    url = reverse("courses:progress_report", args=[course["lesson"].pk])
    # Chinese by default, English when chosen: a whole sentence either way.
    chinese = client.post(url, data=body, content_type="application/json")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(url, data=body, content_type="application/json")
    assert chinese.status_code == english.status_code == status
    assert chinese.json()["error"].endswith("。")
    assert english.json()["error"].endswith(".")
    assert not LessonProgress.objects.exists()


def test_a_token_of_another_user_is_refused(org, course, login):
    other = login(org.supervisor).get(course["lesson"].url).context["view_token"]
    client = login(org.trainee)
    assert post_report(client, course["lesson"], other, [[0, 1]]).status_code == 409


def test_a_report_for_a_locked_lesson_is_403(org, course, login):
    locked = make_lesson(
        course["module"],
        "执勤执法中的情绪管理",
        video=course["video"],
        prerequisites=[course["lesson"]],
    )
    client = login(org.trainee)
    page = client.get(locked.url)
    assert 'data-testid="locked"' in page.content.decode()
    token = page.context["view_token"]
    assert post_report(client, locked, token, [[0, 1]]).status_code == 403


def test_the_quiz_form_grades_and_completes(org, course, login):
    lesson = make_lesson(course["module"], "情绪管理", quiz=[SINGLE_QUESTION])
    client = login(org.trainee)
    question = lesson.quiz[0].id
    response = client.post(
        reverse("courses:quiz_submit", args=[lesson.pk]),
        {f"q-{question}": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert HoursEntry.objects.filter(person=org.trainee).count() == 1
    wrong = client.post(
        reverse("courses:quiz_submit", args=[lesson.pk]), {}, follow=True
    )
    assert any(
        "answer" in str(m) or "回答" in str(m) for m in wrong.context["messages"]
    )


def test_learn_home_shows_progress_per_module_and_continue(org, course, login):
    client = login(org.trainee)
    token = client.get(course["lesson"].url).context["view_token"]
    post_report(client, course["lesson"], token, [[0, 10]], position=10)
    response = client.get(reverse("courses:learn"))
    html = response.content.decode()
    assert 'data-testid="continue"' in html
    assert course["lesson"].title in html
    assert response.context["syllabi"][0]["modules"][0]["total"] == 1


def test_learn_home_query_count_does_not_grow_with_lessons(
    org, course, login, django_assert_max_num_queries
):
    client = login(org.trainee)
    client.get(reverse("courses:learn"))  # warm caches (content types, site)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("courses:learn")).status_code == 200
        return len(queries)

    before = count()
    for index in range(15):
        make_lesson(course["module"], f"课{index}", video=course["video"])
    make_module(course["syllabus"], "个人成长")
    assert count() == before


def test_video_status_is_for_managers_only(org, course, login):
    url = reverse("courses:video_status", kwargs={"key": course["video"].key})
    assert login(org.coordinator).get(url).json()["status"] == "ready"
    assert login(org.trainee).get(url).status_code == 404
    assert login(org.sibling).get(url).status_code == 404
