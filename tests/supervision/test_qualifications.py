"""External qualifications: the upload is decided by the file's bytes and
leaves nothing behind when refused; a coordinator over the holder decides;
the document goes only to the holder and those coordinators."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from lms.core.models import AuditAction, AuditEvent, Notice
from lms.core.status import TransitionNotAllowed
from supervision.models import Qualification, QualificationTransition
from supervision.models.cases import private_storage
from supervision.permissions import can_decide_qualification, can_see_qualification
from supervision.selectors.qualifications import (
    qualifications_decidable_by,
    qualifications_visible_to,
)
from supervision.services.qualifications import (
    MAX_DOCUMENT_BYTES,
    add_months,
    qualification_decide,
    qualification_upload,
)
from tests.factories.ratings import (
    JPEG_BYTES,
    PNG_BYTES,
    document,
    make_qualification,
    make_qualification_kind,
)
from tests.factories.supervision import PDF_BYTES

Status = Qualification.Status
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
)


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English, the source language (requests
    made by the test client would otherwise switch back to Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def stored_files() -> set[str]:
    """Every qualification document in the private storage (other tests'
    files stay there: the database is rolled back, the storage is not)."""
    storage = private_storage()
    if not storage.exists("qualifications"):
        return set()
    return {
        f"{folder}/{name}"
        for folder in storage.listdir("qualifications")[0]
        for name in storage.listdir(f"qualifications/{folder}")[1]
    }


@pytest.fixture
def files_before(db):
    return stored_files()


@pytest.fixture
def kind(db):
    return make_qualification_kind(validity_months=36)


def upload(org, kind, file, *, issued_on=None, expires_on=None, actor=None):
    return qualification_upload(
        actor=actor or org.trainee,
        kind=kind,
        issued_on=issued_on or today() - datetime.timedelta(days=10),
        expires_on=expires_on,
        file=file,
    )


# --- the upload --------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, name, extension",
    [
        (PDF_BYTES, "cert.pdf", "pdf"),
        (PNG_BYTES, "photo.png", "png"),
        (JPEG_BYTES, "photo.jpg", "jpg"),
        # the wrong extension with the right bytes: the bytes decide
        (PDF_BYTES, "cert.txt", "pdf"),
        (PNG_BYTES, "photo.html", "png"),
    ],
)
def test_a_pdf_or_picture_is_stored_privately_by_its_bytes(
    org, kind, content, name, extension
):
    made = upload(org, kind, document(content, name, "text/html"))
    assert made.status == Status.PENDING
    assert made.document.name.endswith(f".{extension}")
    assert made.document.name.startswith(f"qualifications/{org.trainee.pk}/")
    assert made.transitions.get().to_status == Status.PENDING


def test_an_empty_expiry_follows_from_the_kind(org, kind):
    issued = datetime.date(2024, 1, 31)
    made = upload(org, kind, document(), issued_on=issued)
    assert made.expires_on == datetime.date(2027, 1, 31)
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)


def test_a_kind_without_validity_leaves_the_expiry_empty(org):
    kind = make_qualification_kind("ethics-16h", "伦理培训16学时")
    assert upload(org, kind, document()).expires_on is None


@pytest.mark.parametrize(
    "content, name",
    [
        (HTML, "cert.pdf"),  # right extension, wrong bytes
        (SVG, "cert.svg"),
        (SVG, "cert.png"),
        (b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n", "poly.pdf"),
        (b"%PDF-1.4\n1 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n%%EOF", "js.pdf"),
        (PNG_BYTES + b"<html><body>hi</body></html>", "poly.png"),
        (PNG_BYTES + b"trailing bytes", "tail.png"),
        (b"%PDF-1.4\n" + b"x" * 4096, "no-eof.pdf"),
        (JPEG_BYTES + b"<script>alert(1)</script>", "poly.jpg"),
        (b"MZ\x90\x00" + b"\x00" * 60, "cert.pdf"),
        (b"GIF89a" + b"\x00" * 30, "cert.png"),
        (b"", "empty.pdf"),
    ],
)
def test_a_hostile_or_wrong_file_is_refused_and_nothing_remains(
    org, kind, content, name, files_before
):
    with pytest.raises(ValidationError) as refused:
        upload(org, kind, document(content, name))
    assert "file" in refused.value.message_dict
    assert not Qualification.objects.exists()
    assert stored_files() == files_before


def test_a_huge_file_is_refused(org, kind, files_before):
    huge = b"%PDF-1.4\n" + b"0" * MAX_DOCUMENT_BYTES + b"\n%%EOF"
    with pytest.raises(ValidationError, match="larger than"):
        upload(org, kind, document(huge))
    assert not Qualification.objects.exists()
    assert stored_files() == files_before


@pytest.mark.parametrize(
    "issued, expires, field",
    [
        (1, None, "issued_on"),  # tomorrow
        (-30000, None, "issued_on"),  # 1940s
        (-10, -20, "expires_on"),  # expires before issue
        ("2024-01-01", None, "issued_on"),  # not a date
    ],
)
def test_wrong_dates_are_refused(org, kind, issued, expires, field, files_before):
    def day(offset):
        if offset is None or isinstance(offset, str):
            return offset
        return today() + datetime.timedelta(days=offset)

    with pytest.raises(ValidationError) as refused:
        upload(org, kind, document(), issued_on=day(issued), expires_on=day(expires))
    assert field in refused.value.message_dict
    assert stored_files() == files_before


def test_a_failure_after_the_file_is_written_removes_it(
    org, kind, monkeypatch, files_before
):
    import supervision.services.qualifications as service

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(service, "status_record", broken)
    with pytest.raises(RuntimeError):
        upload(org, kind, document())
    assert not Qualification.objects.exists()
    assert stored_files() == files_before


# --- the decision ------------------------------------------------------------------


def test_a_coordinator_over_the_holder_verifies(org, kind):
    made = make_qualification(org.trainee, kind)
    qualification_decide(actor=org.coordinator, qualification=made, accept=True)
    made.refresh_from_db()
    assert made.status == Status.VERIFIED
    assert AuditEvent.objects.filter(
        action=AuditAction.QUALIFICATION, object_id=str(made.pk)
    ).exists()
    assert Notice.objects.filter(person=org.trainee).exists()


def test_a_verified_one_may_be_rejected_later_with_a_reason(org, kind):
    made = make_qualification(org.trainee, kind, status=Status.VERIFIED)
    qualification_decide(
        actor=org.coordinator, qualification=made, accept=False, reason="证书系伪造"
    )
    made.refresh_from_db()
    assert made.status == Status.REJECTED
    step = QualificationTransition.objects.get(qualification=made)
    assert (step.from_status, step.to_status, step.comment) == (
        Status.VERIFIED,
        Status.REJECTED,
        "证书系伪造",
    )


def test_a_rejected_one_is_final(org, kind):
    made = make_qualification(org.trainee, kind, status=Status.REJECTED)
    with pytest.raises(TransitionNotAllowed):
        qualification_decide(actor=org.coordinator, qualification=made, accept=True)


@pytest.mark.parametrize("reason", ["", "   ", "长" * 100_000, None])
def test_rejecting_needs_a_reason_of_sensible_length(org, kind, reason):
    made = make_qualification(org.trainee, kind)
    with pytest.raises(ValidationError):
        qualification_decide(
            actor=org.coordinator, qualification=made, accept=False, reason=reason
        )
    made.refresh_from_db()
    assert made.status == Status.PENDING
    assert not QualificationTransition.objects.filter(qualification=made).exists()


@pytest.mark.parametrize("who", ["sibling", "leader", "supervisor", "trainee"])
def test_only_a_coordinator_over_the_holder_decides(org, kind, who):
    made = make_qualification(org.trainee, kind)
    with pytest.raises(PermissionDenied):
        qualification_decide(actor=getattr(org, who), qualification=made, accept=True)


@pytest.mark.parametrize(
    "who, sees, decides",
    [
        ("trainee", True, False),
        ("coordinator", True, True),
        ("sibling", False, False),
        ("leader", False, False),
        ("supervisor", False, False),
    ],
)
def test_predicates_and_querysets_agree(org, kind, who, sees, decides):
    made = make_qualification(org.trainee, kind)
    user = getattr(org, who)
    assert can_see_qualification(user, made) is sees
    assert qualifications_visible_to(user=user).filter(pk=made.pk).exists() is sees
    assert can_decide_qualification(user, made) is decides
    assert qualifications_decidable_by(user=user).filter(pk=made.pk).exists() is decides


# --- the pages ---------------------------------------------------------------------


def post_upload(client, chosen, content=PDF_BYTES, name="cert.pdf", **fields):
    data = {
        "kind": chosen.pk,
        "issued_on": (today() - datetime.timedelta(days=5)).isoformat(),
        "expires_on": "",
        "file": document(content, name),
        **fields,
    }
    return client.post(reverse("supervision:qualification_upload"), data)


def test_the_trainee_uploads_on_the_page(org, kind, login):
    client = login(org.trainee)
    assert client.get(reverse("supervision:qualification_list")).status_code == 200
    response = post_upload(client, kind)
    assert response.status_code == 302
    assert Qualification.objects.get().person == org.trainee


@pytest.mark.parametrize(
    "fields, content, error",
    [
        ({"kind": ""}, PDF_BYTES, "kind"),
        ({"kind": "999999"}, PDF_BYTES, "kind"),
        ({"issued_on": ""}, PDF_BYTES, "issued_on"),
        ({"issued_on": "not a date"}, PDF_BYTES, "issued_on"),
        ({"issued_on": "2999-01-01"}, PDF_BYTES, "issued_on"),
        ({"expires_on": "1990-01-01"}, PDF_BYTES, "expires_on"),
        ({}, HTML, "file"),
        ({}, SVG, "file"),
        ({}, PNG_BYTES + b"<script>x</script>", "file"),
        ({"file": ""}, PDF_BYTES, "file"),
    ],
)
def test_bad_input_on_the_upload_form_gets_a_sentence(
    org, kind, login, fields, content, error, files_before
):
    response = post_upload(login(org.trainee), kind, content, **fields)
    assert response.status_code == 400
    assert error in response.context["form"].errors
    assert f'data-testid="error-{error}"' in response.content.decode()
    assert not Qualification.objects.exists()
    assert stored_files() == files_before


def test_the_document_is_served_as_a_safe_download(org, kind, login):
    made = make_qualification(org.trainee, kind)
    url = reverse("supervision:qualification_file", args=[made.pk])
    for who in ("trainee", "coordinator"):
        response = login(getattr(org, who)).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF_BYTES
    for who in ("sibling", "leader", "supervisor", "west_trainee"):
        assert login(getattr(org, who)).get(url).status_code == 404


def test_the_queue_lists_the_subtree_only_and_the_coordinator_decides(org, kind, login):
    east = make_qualification(org.trainee, kind)
    west = make_qualification(org.west_trainee, kind)
    client = login(org.coordinator)
    queue = client.get(reverse("supervision:qualification_queue"))
    assert [row.pk for row in queue.context["waiting"]] == [east.pk]
    decide = reverse("supervision:qualification_decide", args=[east.pk])
    response = client.post(decide, {"decision": "verify", "reason": ""})
    assert response.status_code == 302
    east.refresh_from_db()
    assert east.status == Status.VERIFIED
    west_decide = reverse("supervision:qualification_decide", args=[west.pk])
    assert client.post(west_decide, {"decision": "verify"}).status_code == 404
    west.refresh_from_db()
    assert west.status == Status.PENDING


@pytest.mark.parametrize(
    "data, field",
    [
        ({"decision": "reject", "reason": ""}, "reason"),
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "reject", "reason": "长" * 100_000}, "reason"),
    ],
)
def test_bad_input_on_the_decision_gets_a_sentence(org, kind, login, data, field):
    made = make_qualification(org.trainee, kind)
    url = reverse("supervision:qualification_decide", args=[made.pk])
    response = login(org.coordinator).post(url, data)
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()
    made.refresh_from_db()
    assert made.status == Status.PENDING


def test_a_hostile_reason_is_shown_escaped_to_the_holder(org, kind, login):
    made = make_qualification(org.trainee, kind)
    hostile = "<script>alert(1)</script>"
    url = reverse("supervision:qualification_decide", args=[made.pk])
    login(org.coordinator).post(url, {"decision": "reject", "reason": hostile})
    html = login(org.trainee).get(reverse("supervision:qualification_list"))
    html = html.content.decode()
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_holder_cannot_decide_their_own(org, kind, login):
    made = make_qualification(org.coordinator, kind)
    url = reverse("supervision:qualification_decide", args=[made.pk])
    assert login(org.coordinator).post(url, {"decision": "verify"}).status_code == 403
