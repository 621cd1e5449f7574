"""Issue 16, the practice log's first week: a returned entry is flagged on
我的学习 and the practice home and its comment heads the edit form (23);
after submitting, the page says who reviews it (26); the hours pages show
practice awaiting sign-off apart from credited hours (30); a trainee
downloads their own log as XLSX or CSV, audited (31)."""

import csv
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from lms.core.models import AuditAction, AuditEvent
from supervision.models import PracticeEntry
from supervision.services import entries as services
from tests.factories.core import UserFactory
from tests.factories.entries import entry_in
from tests.factories.supervision import assign

Status = PracticeEntry.Status
HOSTILE = '=HYPERLINK("http://x","y")'


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def supervised(org):
    org.supervisor.full_name = "何敏"
    org.supervisor.save()
    assign(org.trainee, org.supervisor)
    return org


def returned_entry(org, comment="请补充你在通话中的反思。"):
    entry = entry_in(org.trainee, Status.DRAFT, title="热线")
    services.practice_entry_submit(actor=org.trainee, entry=entry)
    services.practice_entry_return(actor=org.supervisor, entry=entry, comment=comment)
    entry.refresh_from_db()
    return entry


# --- item 23: a returned entry is flagged, its comment heads the form -----------------


def test_the_edit_form_of_a_returned_entry_shows_the_comment(login, supervised):
    entry = returned_entry(supervised, comment="<script>alert(1)</script>再写具体些")
    page = login(supervised.trainee).get(url("entry_edit", entry.pk))
    body = page.content.decode()
    assert 'data-testid="return-comment"' in body
    assert "再写具体些" in body and "何敏" in body
    assert "<script>alert(1)</script>" not in body  # escaped
    # the comment comes before the form
    assert body.index('data-testid="return-comment"') < body.index(
        'data-testid="entry-form"'
    )


def test_the_entry_page_of_a_returned_entry_shows_the_comment_on_top(login, supervised):
    entry = returned_entry(supervised)
    body = login(supervised.trainee).get(url("entry_detail", entry.pk)).content.decode()
    assert body.index("请补充你在通话中的反思。") < body.index('data-testid="history"')


def test_a_resubmitted_entry_no_longer_shows_the_return_box(login, supervised):
    entry = returned_entry(supervised)
    services.practice_entry_submit(actor=supervised.trainee, entry=entry)
    body = login(supervised.trainee).get(url("entry_detail", entry.pk)).content.decode()
    assert 'data-testid="return-comment"' not in body


def test_my_learning_flags_a_returned_entry_with_a_link_to_its_form(login, supervised):
    entry = returned_entry(supervised)
    client = english(login(supervised.trainee))
    body = client.get(reverse("courses:learn")).content.decode()
    assert 'data-testid="attention"' in body
    assert url("entry_edit", entry.pk) in body


def test_my_learning_has_no_flag_without_a_returned_entry(login, supervised):
    entry_in(supervised.trainee, Status.SUBMITTED)
    body = login(supervised.trainee).get(reverse("courses:learn")).content.decode()
    assert 'data-testid="attention"' not in body


def test_someone_elses_returned_entry_is_not_flagged_for_me(login, supervised):
    returned_entry(supervised)
    other = UserFactory(username="other", home_unit=supervised.east_room)
    body = login(other).get(reverse("courses:learn")).content.decode()
    assert 'data-testid="attention"' not in body


def test_the_practice_home_counts_returned_entries(login, supervised):
    returned_entry(supervised)
    returned_entry(supervised)
    client = english(login(supervised.trainee))
    body = client.get(url("home")).content.decode()
    assert "2 entries returned to you" in body


def test_the_log_lists_returned_entries_first(login, supervised):
    entry = returned_entry(supervised)
    client = english(login(supervised.trainee))
    body = client.get(url("entry_list")).content.decode()
    assert 'data-testid="returned-entries"' in body
    assert url("entry_edit", entry.pk) in body


# --- item 26: who will review it -----------------------------------------------------


def test_submitting_says_who_will_review(login, supervised):
    entry = entry_in(supervised.trainee, Status.DRAFT)
    client = english(login(supervised.trainee))
    response = client.post(url("entry_submit", entry.pk), follow=True)
    body = response.content.decode()
    assert "何敏 will review it" in body
    assert 'data-testid="reviewers"' in body


def test_submitting_without_a_supervisor_says_what_to_do(login, org):
    entry = entry_in(org.trainee, Status.DRAFT)
    client = english(login(org.trainee))
    body = client.post(url("entry_submit", entry.pk), follow=True).content.decode()
    assert "no supervisor is assigned" in body
    assert "Ask your coordinator" in body


def test_the_shift_supervisor_on_duty_is_named_as_a_reviewer(login, org):
    from tests.factories.entries import attended_shift

    duty = UserFactory(
        username="duty", full_name="值班督导", home_unit=org.east, roles=["supervisor"]
    )
    shift = attended_shift(org.trainee, supervisor=duty)
    entry = entry_in(org.trainee, Status.SUBMITTED, shift=shift)
    from supervision.selectors.entries import reviewers_of

    assert [p.pk for p in reviewers_of(entry)] == [duty.pk]


# --- item 30: pending hours --------------------------------------------------------


def test_the_hours_page_shows_pending_practice_apart(login, supervised):
    entry_in(supervised.trainee, Status.SUBMITTED, minutes=90)
    entry_in(supervised.trainee, Status.RESUBMITTED, minutes=30)
    entry_in(supervised.trainee, Status.DRAFT, minutes=600)
    entry_in(supervised.trainee, Status.RETURNED, minutes=600)
    client = english(login(supervised.trainee))
    body = client.get(reverse("courses:my_hours")).content.decode()
    assert 'data-testid="pending-hours"' in body
    assert "2.00 h in 2 entries awaiting sign-off" in body
    # and on my learning
    body = client.get(reverse("courses:learn")).content.decode()
    assert "2.00 h in 2 entries awaiting sign-off" in body


def test_no_pending_section_without_pending_practice(login, supervised):
    entry_in(supervised.trainee, Status.DRAFT)
    body = login(supervised.trainee).get(reverse("courses:my_hours")).content.decode()
    assert 'data-testid="pending-hours"' not in body


def test_pending_hours_leave_out_amendments(supervised):
    from supervision.selectors.entries import pending_practice_hours

    original = entry_in(
        supervised.trainee, Status.APPROVED, approver=supervised.supervisor
    )
    entry_in(
        supervised.trainee,
        Status.SUBMITTED,
        amends=original,
        amendment_reason="时长记错",
        minutes=120,
    )
    assert pending_practice_hours(person=supervised.trainee)["count"] == 0


def test_the_log_shows_pending_hours(login, supervised):
    entry_in(supervised.trainee, Status.SUBMITTED, minutes=45)
    body = login(supervised.trainee).get(url("entry_list")).content.decode()
    assert 'data-testid="hours-pending">0.75<' in body


# --- item 31: my log as a file ---------------------------------------------------------


def _rows_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_has_my_entries_only_with_labels(login, supervised):
    org = supervised
    entry_in(org.trainee, Status.APPROVED, approver=org.supervisor, title="我的一条")
    entry_in(org.trainee, Status.SUBMITTED, title=HOSTILE)
    entry_in(org.west_trainee, Status.SUBMITTED, title="别人的")
    client = login(org.trainee)
    response = client.get(url("entry_export", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows_csv(response)
    assert len(rows) == 3
    flat = "\n".join(",".join(r) for r in rows)
    assert "别人的" not in flat
    assert "'" + HOSTILE in flat  # never a formula
    statuses = {r[7] for r in rows[1:]}
    assert statuses == {"已通过", "已提交"}  # labels in the reader's language
    assert all(r[8] == "何敏" for r in rows[1:])


def test_xlsx_export_opens_and_is_audited(login, supervised):
    org = supervised
    entry_in(org.trainee, Status.APPROVED, approver=org.supervisor, title="=1+1")
    entry_in(org.trainee, Status.DRAFT, reflection="控制字符\x07在此")
    client = login(org.trainee)
    response = client.get(url("entry_export", "xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert "'=1+1" in [cell for row in rows for cell in row]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == org.trainee and "xlsx" in event.detail


def test_export_of_an_empty_log_is_a_header(login, org):
    response = login(org.trainee).get(url("entry_export", "csv"))
    assert len(_rows_csv(response)) == 1


def test_export_of_an_unknown_format_is_404(login, org):
    client = login(org.trainee)
    for fmt in ("pdfx", "../x", "CSV", "x" * 500):
        assert client.get(f"/practice/log/export.{fmt}").status_code == 404


def test_export_needs_login(client):
    response = client.get(url("entry_export", "csv"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_log_links_the_exports(login, org):
    body = login(org.trainee).get(url("entry_list")).content.decode()
    assert url("entry_export", "xlsx") in body and url("entry_export", "csv") in body


def test_pdf_export_is_a_pdf_with_my_entries(login, supervised):
    org = supervised
    entry_in(
        org.trainee,
        Status.APPROVED,
        approver=org.supervisor,
        title="<b>热线 & 值班</b>",
    )
    entry_in(org.trainee, Status.SUBMITTED, title="x" * 120)
    response = login(org.trainee).get(url("entry_export", "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=org.trainee, detail__contains="pdf"
    ).exists()


def test_pdf_export_of_an_empty_log_works(login, org):
    response = login(org.trainee).get(url("entry_export", "pdf"))
    assert response.content.startswith(b"%PDF")


def test_export_times_are_local(login, supervised):
    import datetime

    from django.utils import timezone

    org = supervised
    moment = timezone.make_aware(datetime.datetime(2026, 3, 1, 23, 30), datetime.UTC)
    entry_in(org.trainee, Status.APPROVED, approver=org.supervisor, approved_at=moment)
    rows = _rows_csv(login(org.trainee).get(url("entry_export", "csv")))
    assert rows[1][9] == "2026-03-02 07:30"  # Asia/Shanghai, not UTC
