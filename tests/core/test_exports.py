"""Every spreadsheet export of the admin (each model listing and each of
Wagtail's reports, CSV and XLSX) writes text a spreadsheet would run as a
formula as text behind an apostrophe (``lms.core.spreadsheets``)."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowTask

from lms.core.models import AuditAction, AuditEvent, Role, User
from lms.core.services.audit import audit_record
from lms.core.spreadsheets import FORMULA_STARTS
from lms.core.wagtail_reports import REPORTS
from supervision.models import RubricItem
from tests.factories.cohorts import make_cohort
from tests.factories.core import UserFactory, make_unit
from tests.factories.courses import make_ready_video, make_syllabus
from tests.factories.ratings import make_qualification_kind, make_rubric
from tests.factories.sessions import make_session
from tests.factories.shifts import make_exemption
from tests.factories.supervision import assign, make_entry, make_shift, make_technique

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _hostile_pages(admin):
    """Syllabus pages titled with each value, locked, published and in a
    workflow, so every page report has them."""
    workflow = Workflow.objects.create(name=HOSTILE[0])
    task = GroupApprovalTask.objects.create(name=HOSTILE[1])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for value in HOSTILE:
        page = make_syllabus(title=value)
        page.save_revision(user=admin)
        workflow.start(page, admin)
        log(instance=page, action="wagtail.publish", user=admin)
        Page.objects.filter(pk=page.pk).update(
            locked=True,
            locked_by=admin,
            locked_at=timezone.now(),
            last_published_at=timezone.now() - datetime.timedelta(days=400),
        )


def make_hostile_rows(org) -> User:
    """Rows whose text fields hold each hostile value, in every listing
    that exports; returns a platform administrator to export them."""
    admin = User.objects.create_superuser(
        "root", "root@example.com", "x", full_name=HOSTILE[0], home_unit=org.city
    )
    for index, value in enumerate(HOSTILE):
        unit = make_unit(name=value, code=f"hostile-{index}", parent=org.east)
        person = UserFactory(
            username=f"hostile{index}",
            full_name=value,
            staff_number=value,
            home_unit=unit,
            roles=[Role.TRAINEE],
        )
        make_ready_video(org.east, title=value, original_filename=value)
        make_cohort(org.east, name=value)
        make_session(org.east, title=value, place=value)
        make_shift(org.east, title=value, supervisor=org.supervisor)
        make_exemption(
            person,
            timezone.localdate(),
            timezone.localdate(),
            by=org.coordinator,
            reason=value,
        )
        make_entry(person, status="submitted", title=value, reflection=value)
        assign(person, org.supervisor, by=org.coordinator)
        make_technique(name=value)
        rubric = make_rubric(value, items=0)
        RubricItem.objects.create(rubric=rubric, text=value, guidance=value)
        make_qualification_kind(f"hostile-{index}", value)
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            actor_label=value,
            detail=value,
        )
        log(instance=person, action="wagtail.edit", user=admin)
    _hostile_pages(admin)
    return admin


def export_urls() -> list[str]:
    """Every admin listing that exports, and every report of Wagtail's."""
    get_resolver().url_patterns  # noqa: B018 - registers the admin's viewsets
    listings = [
        reverse(f"{viewset.url_namespace}:index")
        for viewset in viewsets.viewsets
        if isinstance(viewset, ModelViewSet)
        and viewset.list_export is not viewset.UNDEFINED
        and viewset.list_export
    ]
    reports = [
        f"/admin/reports/{route}"
        for route, view_class, _hidden in REPORTS
        if view_class.list_export
    ]
    return listings + reports


def cells_of(response, export_format) -> list:
    """Every cell of the exported file, headings included."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if export_format == "csv":
        rows = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
        return [cell for row in rows for cell in row]
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [
        cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
    ]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    return [cell.value for cell in cells]


def written(value: str, export_format: str) -> str:
    """``value`` as it reads back from the export: behind an apostrophe
    (XML, and so XLSX, reads a carriage return back as a line feed)."""
    value = "'" + value
    return value.replace("\r", "\n") if export_format == "xlsx" else value


def runnable(cells) -> list[str]:
    """Cells a spreadsheet would run: text starting like a formula."""
    return [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_STARTS)]


def test_the_exports_cover_every_listing_and_report(org):
    urls = export_urls()
    for name in (
        "org_units:index",
        "wagtailusers_users:index",
        "audit_log:index",
        "videos:index",
        "cohorts:index",
        "session_admin:index",
        "shift_admin:index",
        "exemption_admin:index",
        "entry_admin:index",
        "supervisor_assignments:index",
        "techniques_admin:index",
        "wagtailadmin_reports:site_history",
        "wagtailadmin_reports:locked_pages",
        "wagtailadmin_reports:aging_pages",
        "wagtailadmin_reports:workflow",
        "wagtailadmin_reports:workflow_tasks",
    ):
        assert reverse(name) in urls


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_every_export_writes_hostile_text_as_text(org, client, settings, export_format):
    # given rows whose text a spreadsheet would run, in every listing (and
    # no moderation mail, whose subject would refuse a page title with \r)
    settings.WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
    client.force_login(make_hostile_rows(org))
    found = {}
    for url in export_urls():
        # when each listing and report is exported
        response = client.get(f"{url}?export={export_format}")
        assert response.status_code == 200, url
        cells = cells_of(response, export_format)
        # then no cell would run, and each value is there behind an apostrophe
        found[url] = {
            "runnable": runnable(cells),
            "missing": [v for v in HOSTILE if written(v, export_format) not in cells],
        }
    failures = {url: f for url, f in found.items() if f["runnable"] or f["missing"]}
    assert failures == {}


def test_a_failed_login_as_a_formula_is_exported_as_text(org, client):
    # given someone who tried to log in with a formula as their name
    name = '==HYPERLINK("http://evil.example","点我")'
    client.post(reverse("account_login"), {"login": name, "password": "wrong"})
    assert AuditEvent.objects.filter(actor_label=name).exists()
    # when a platform administrator exports the audit log
    client.force_login(User.objects.create_superuser("root", "r@example.com", "x"))
    for export_format in ("csv", "xlsx"):
        response = client.get(reverse("audit_log:index") + f"?export={export_format}")
        cells = cells_of(response, export_format)
        # then the name is text, never a formula
        assert written(name, export_format) in cells
        assert runnable(cells) == []


# --- pool ---
# The tier history exports: its hostile rows join the others.
_make_hostile_rows_before_pool = make_hostile_rows


def make_hostile_rows(org) -> User:  # noqa: F811 - extends the rows above
    from supervision.models import TierChange
    from tests.factories.pool import make_scheme, make_tier

    admin = _make_hostile_rows_before_pool(org)
    tier = make_tier(make_scheme(org.city, "hostile-pool"), 1)
    for index, value in enumerate(HOSTILE):
        TierChange.objects.create(
            person=User.objects.get(username=f"hostile{index}"),
            scheme=tier.scheme,
            to_tier=tier,
            actor=org.coordinator,
            reason=value,
        )
    return admin


# --- end pool ---
