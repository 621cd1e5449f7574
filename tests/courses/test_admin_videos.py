"""Uploading videos and editing lessons in the Wagtail admin, with good,
wrong, empty, huge and hostile input."""

import shutil

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from courses.models import LessonPage, Video
from courses.testsources import make_test_clip
from courses.video_files import local_root, video_storage
from tests.factories.courses import make_module, make_ready_video, make_syllabus


@pytest.fixture(scope="module")
def webm(tmp_path_factory):
    path = tmp_path_factory.mktemp("admin") / "clip.webm"
    make_test_clip(
        path, seconds=1, size="320x240", vcodec="libvpx-vp9", acodec="libopus"
    )
    return path.read_bytes()


@pytest.fixture(scope="module")
def truncated_mp4(tmp_path_factory):
    # The index (moov) of a plain MP4 is at the end: cut it off.
    path = tmp_path_factory.mktemp("admin") / "clip.mp4"
    data = make_test_clip(path, seconds=2, size="320x240").read_bytes()
    return data[: len(data) // 2]


@pytest.fixture(autouse=True)
def _empty_storage():
    yield
    shutil.rmtree(local_root(video_storage()), ignore_errors=True)


def post_upload(client, *, unit, content, name="clip.webm", title=""):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(
        reverse("videos:add"),
        {"title": title, "unit": unit.pk, "file": SimpleUploadedFile(name, content)},
    )


def errors_of(response) -> str:
    return " ".join(
        str(e) for errors in response.context["form"].errors.values() for e in errors
    )


def test_coordinator_uploads_a_video_and_sees_it_queued(
    org, login, webm, django_capture_on_commit_callbacks
):
    client = login(org.coordinator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_upload(
            client, unit=org.east_room, content=webm, title="压力管理"
        )
    assert response.status_code == 302
    video = Video.objects.get()
    assert (video.title, video.unit, video.uploaded_by) == (
        "压力管理",
        org.east_room,
        org.coordinator,
    )
    assert len(callbacks) == 1
    listing = client.get(reverse("videos:index"))
    assert "data-video-status-url" in listing.content.decode()


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "notes.mp4",
            "会议纪要：这不是视频。\n".encode() * 40,
            "This is not a video file.",
        ),
        (
            "page.mp4",
            b"<!DOCTYPE html><html><body><video src=x></video></body></html>" * 20,
            "not a video",
        ),
        ("empty.mp4", b"", "empty"),
        ("broken.mp4", None, "damaged"),
    ],
)
def test_bad_files_are_refused_with_a_sentence_and_nothing_is_kept(
    org, login, truncated_mp4, name, content, message
):
    if content is None:
        content = truncated_mp4
    response = post_upload(
        login(org.coordinator), unit=org.east, content=content, name=name
    )
    assert response.status_code == 200
    assert message.lower() in errors_of(response).lower()
    assert not Video.objects.exists()
    root = local_root(video_storage())
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_a_file_over_the_size_limit_is_refused(org, login, webm, settings):
    settings.LMS_VIDEO_MAX_BYTES = 100  # the pytest-django fixture shadows the module
    response = post_upload(login(org.coordinator), unit=org.east, content=webm)
    assert "over the limit" in errors_of(response)
    assert not Video.objects.exists()


def test_a_hostile_file_name_is_kept_for_display_only(org, login, webm):
    name = "../../<script>alert(1)</script>.webm"
    response = post_upload(
        login(org.coordinator), unit=org.east, content=webm, name=name
    )
    assert response.status_code == 302
    video = Video.objects.get()
    assert video.original_name == f"{video.key}/original.webm"
    listing = login(org.coordinator).get(reverse("videos:index"))
    assert "<script>alert(1)" not in listing.content.decode()


def test_a_300_character_file_name_uploads_without_a_typed_title(org, login, webm):
    # given a long file name with a right-to-left override in it
    name = "第一课\u202e" + "讲" * 297 + ".webm"
    # when
    response = post_upload(
        login(org.coordinator), unit=org.east, content=webm, name=name
    )
    # then the title is the name, cut to fit and without the override
    assert response.status_code == 302
    video = Video.objects.get()
    assert len(video.title) == 200 and video.title.startswith("第一课讲讲")
    assert "\u202e" not in video.title + video.original_filename


def test_a_typed_or_edited_title_loses_its_bidi_controls(org, login, webm):
    client = login(org.coordinator)
    response = post_upload(
        client, unit=org.east, content=webm, title="作业\u202e4pm.exe"
    )
    assert response.status_code == 302
    video = Video.objects.get()
    assert video.title == "作业4pm.exe"
    response = client.post(
        reverse("videos:edit", args=[video.pk]), {"title": "\u2067复习\u2069"}
    )
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.title == "复习"
    response = client.post(reverse("videos:edit", args=[video.pk]), {"title": "\u202e"})
    assert "title" in response.context["form"].errors


def test_a_coordinator_cannot_upload_for_a_sibling_unit(org, login, webm):
    response = post_upload(login(org.coordinator), unit=org.west, content=webm)
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Video.objects.exists()


def test_the_listing_holds_only_the_subtree(org, login):
    make_ready_video(org.east_room, title="东区视频")
    make_ready_video(org.west, title="西区视频")
    html = login(org.coordinator).get(reverse("videos:index")).content.decode()
    assert "东区视频" in html and "西区视频" not in html


def test_the_page_tree_cannot_be_built_wrongly():
    from courses.models import ModulePage, SyllabusIndexPage

    assert LessonPage.allowed_parent_page_models() == [ModulePage]
    assert ModulePage.allowed_subpage_models() == [LessonPage]
    assert SyllabusIndexPage.allowed_subpage_models() == [ModulePage]
    assert LessonPage.allowed_subpage_models() == []


def lesson_form(module, **fields):
    """The Wagtail "add lesson" URL and a valid form, changed by ``fields``."""
    url = reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", module.pk])
    data = nested_form_data(
        {
            "title": "情绪管理",
            "slug": "emotion",
            "body": rich_text("<p>正文</p>"),
            "credit_hours": "0.5",
            "quiz_pass_mark": "80",
            "quiz": streamfield([]),
            "attachments": inline_formset([]),
        }
    )
    data.update(fields)
    return url, data


def quiz_question(kind, correct):
    """A quiz question as the admin form posts it (a ListBlock of answers)."""
    choices = {"count": 3}
    for index, right in enumerate(correct):
        choices[index] = {
            "value": {"text": f"答案{index}", "correct": "on" if right else ""},
            "deleted": "",
            "order": index,
            "id": f"c{index}",
        }
    return streamfield(
        [
            (
                "question",
                {"question": "压力大时怎么办？", "kind": kind, "choices": choices},
            )
        ]
    )


def test_coordinator_adds_a_lesson_in_the_admin_and_publishes_it(org, login):
    module = make_module(make_syllabus())
    video = make_ready_video(org.east)
    client = login(org.coordinator)
    url, data = lesson_form(module, video=video.pk, **{"action-publish": "publish"})
    assert client.get(url).status_code == 200
    data.update(
        nested_form_data({"quiz": quiz_question("single", [False, True, False])})
    )
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context and response.context["form"].errors
    )
    lesson = LessonPage.objects.get(slug="emotion")
    assert lesson.live and lesson.video == video
    assert lesson.has_quiz and lesson.quiz[0].value["kind"] == "single"


@pytest.mark.parametrize(
    "fields, error_field",
    [
        ({"credit_hours": "-1"}, "credit_hours"),
        ({"credit_hours": "abc"}, "credit_hours"),
        ({"credit_hours": "100000"}, "credit_hours"),
        ({"quiz_pass_mark": "0"}, "quiz_pass_mark"),
        ({"title": ""}, "title"),
        ({"title": "x" * 300}, "title"),
        ({"video": "999999"}, "video"),
        (
            nested_form_data({"quiz": quiz_question("single", [True, True, False])}),
            "quiz",
        ),
        (
            nested_form_data(
                {"quiz": quiz_question("multiple", [False, False, False])}
            ),
            "quiz",
        ),
    ],
)
def test_bad_lesson_input_is_refused_and_nothing_is_saved(
    org, login, fields, error_field
):
    module = make_module(make_syllabus())
    url, data = lesson_form(module, **fields)
    response = login(org.coordinator).post(url, data)
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert not LessonPage.objects.filter(slug="emotion").exists()


def test_a_hostile_lesson_title_is_escaped_on_the_page(org, login):
    module = make_module(make_syllabus())
    url, data = lesson_form(
        module, title="<script>alert(1)</script>", **{"action-publish": "publish"}
    )
    assert login(org.coordinator).post(url, data).status_code == 302
    html = login(org.trainee).get(LessonPage.objects.get().url).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_the_lesson_editor_offers_only_videos_the_editor_manages(org, login):
    module = make_module(make_syllabus())
    make_ready_video(org.east_room, title="东区视频")
    make_ready_video(org.west, title="西区视频")
    url, _data = lesson_form(module)
    html = login(org.coordinator).get(url).content.decode()
    assert "东区视频" in html and "西区视频" not in html
    # and a posted west video is refused like any invalid choice
    west = make_ready_video(org.west, title="西区二")
    _url, data = lesson_form(module, video=west.pk)
    response = login(org.coordinator).post(url, data)
    assert "video" in response.context["form"].errors


def test_drafts_and_preview_work_as_wagtail_users_expect(org, login):
    # given a published lesson
    module = make_module(make_syllabus())
    client = login(org.coordinator)
    url, data = lesson_form(module, **{"action-publish": "publish"})
    client.post(url, data)
    lesson = LessonPage.objects.get(slug="emotion")
    edit = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    _url, changed = lesson_form(module, title="情绪管理（修订）")
    # when the coordinator previews a change
    preview = reverse("wagtailadmin_pages:preview_on_edit", args=[lesson.pk])
    assert client.post(preview, changed).json()["is_valid"] is True
    shown = client.get(preview).content.decode()
    assert "情绪管理（修订）" in shown and 'data-testid="lesson-status"' in shown
    # and saves it as a draft
    assert client.post(edit, changed).status_code == 302
    # then trainees still see the published title until it is published
    trainee_view = login(org.trainee).get(lesson.url).content.decode()
    assert "<h1>情绪管理</h1>" in trainee_view
    client = login(org.coordinator)
    client.post(edit, {**changed, "action-publish": "publish"})
    assert (
        "<h1>情绪管理（修订）</h1>"
        in login(org.trainee).get(lesson.url).content.decode()
    )
