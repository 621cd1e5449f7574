"""Lesson attachments (Wagtail documents): only readers of a lesson that
links them, and the people who edit them in the admin, download them."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction

from courses.models import LessonAttachment
from lms.core.models import role_group
from tests.factories.courses import make_lesson, make_module, make_syllabus

DATA = b"%PDF-1.4\n" + bytes(range(256)) * 4


@pytest.fixture
def make_document(db):
    made = []

    def _make(title="压力管理讲义", name="handout.pdf"):
        document = get_document_model().objects.create(
            title=title, file=ContentFile(DATA, name=name)
        )
        made.append(document)
        return document

    yield _make
    for document in made:
        document.file.delete(save=False)


@pytest.fixture
def module(org):
    return make_module(make_syllabus())


def attach(lesson, document):
    LessonAttachment.objects.create(page=lesson, document=document)


def body_linking(document) -> str:
    return f'<p>请先阅读<a linktype="document" id="{document.pk}">讲义</a>。</p>'


def test_links_to_documents_go_through_the_checked_view(make_document):
    document = make_document()
    assert document.url == f"/documents/{document.pk}/handout.pdf"
    assert document.url == reverse(
        "wagtaildocs_serve", args=[document.pk, document.filename]
    )


def test_a_reader_of_a_lesson_downloads_its_attachment(
    org, module, make_document, login
):
    # given a published lesson with the document attached
    document = make_document()
    attach(make_lesson(module), document)
    # when a trainee of the organisation asks for it
    response = login(org.trainee).get(document.url)
    # then it is served, privately and never rendered inline as a page
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DATA
    assert "private" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_lesson_page_links_the_attachment(org, module, make_document, login):
    document = make_document()
    lesson = make_lesson(module)
    attach(lesson, document)
    page = login(org.trainee).get(lesson.url).content.decode()
    assert f'href="{document.url}"' in page


def test_a_document_linked_from_a_lessons_text_is_served(
    org, module, make_document, login
):
    document = make_document()
    lesson = make_lesson(module)
    lesson.body = body_linking(document)
    lesson.save_revision().publish()
    assert login(org.trainee).get(document.url).status_code == 200


def test_a_page_link_with_the_same_id_is_not_a_document_link(
    org, module, make_document, login
):
    document = make_document()
    lesson = make_lesson(module)
    lesson.body = f'<p><a linktype="page" id="{document.pk}">另一课</a></p>'
    lesson.save_revision().publish()
    assert login(org.trainee).get(document.url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_whether_or_not_it_exists(
    client, org, module, make_document
):
    document = make_document()
    attach(make_lesson(module), document)
    for url in (document.url, "/documents/999999/missing.pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")


def test_a_document_no_open_lesson_links_is_a_404(org, module, make_document, login):
    # given documents linked from nowhere, and from a draft lesson only
    loose = make_document(title="内部材料", name="internal.pdf")
    drafted = make_document(title="草稿材料", name="draft.pdf")
    attach(make_lesson(module, "草稿", live=False), drafted)
    client = login(org.trainee)
    # then a trainee gets neither, nor a missing one
    assert client.get(loose.url).status_code == 404
    assert client.get(drafted.url).status_code == 404
    assert client.get("/documents/999999/missing.pdf").status_code == 404


def test_a_lesson_restricted_to_a_group_keeps_its_attachment_from_others(
    org, module, make_document, login
):
    document = make_document()
    attach(make_lesson(module), document)
    restriction = PageViewRestriction.objects.create(
        page=module, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([role_group("supervisor")])
    assert login(org.trainee).get(document.url).status_code == 404
    assert login(org.supervisor).get(document.url).status_code == 200


def test_a_wrong_file_name_is_a_404(org, module, make_document, login):
    document = make_document()
    attach(make_lesson(module), document)
    url = reverse("wagtaildocs_serve", args=[document.pk, "other.pdf"])
    assert login(org.trainee).get(url).status_code == 404


def test_people_who_edit_documents_in_the_admin_download_them(
    org, make_document, login
):
    document = make_document()  # in no lesson
    assert login(org.coordinator).get(document.url).status_code == 200
    assert login(org.sibling).get(document.url).status_code == 200
    assert login(org.leader).get(document.url).status_code == 404
    assert login(org.supervisor).get(document.url).status_code == 404


def test_the_media_url_serves_no_document(org, make_document, login):
    document = make_document()
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    client = login(org.coordinator)
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404
    assert client.get(document.file.url).status_code == 404


def test_documents_answer_only_reads(org, module, make_document, login):
    document = make_document()
    attach(make_lesson(module), document)
    assert login(org.trainee).post(document.url).status_code == 405
