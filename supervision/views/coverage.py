"""Staffing coverage under /practice/pool/coverage/: every unit of a
coordinator's or leader's subtree with have / need, the grassroots units
without coverage first, the share of covered grassroots units at the top;
``?format=csv`` or ``xlsx`` downloads the same lines (audited).

/practice/pool/coverage/<unit>/ narrows to one unit of the subtree; a
unit outside it is not found (404).  Anyone signed in without the right
gets 403 on the page itself."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from lms.core.models import AuditAction
from lms.core.services.audit import audit_record
from lms.core.spreadsheets import safe_cell

from ..permissions import can_see_coverage
from ..selectors import coverage as selectors

PAGE_SIZE = 200
EXPORTS = ("csv", "xlsx")


@login_required
@require_safe
def coverage(request, unit_pk: int | None = None):
    """The coverage of my subtree, or of one unit of it."""
    if not can_see_coverage(request.user):
        raise PermissionDenied
    unit = None
    if unit_pk is not None:
        unit = selectors.coverage_unit_get_for(user=request.user, pk=unit_pk)
    today = timezone.localdate()
    report = selectors.coverage_for(user=request.user, unit=unit, today=today)
    export = request.GET.get("format")
    if export in EXPORTS:
        scope = unit.code if unit else "all"
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=unit,
            request=request,
            detail=f"staffing coverage ({export}): {scope}",
        )
        return (_csv if export == "csv" else _xlsx)(report, today=today)
    page = Paginator(report.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/coverage/page.html",
        {
            "unit": unit,
            "report": report,
            "page": page,
            "target": selectors.TARGET_PERCENT,
        },
    )


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def _header() -> list[str]:
    return [
        _("Unit"),
        _("Code"),
        _("Parent unit"),
        _("Level"),
        _("Need"),
        _("Have"),
        _("Covered"),
        _("Grassroots units covered"),
        _("Grassroots units at or below"),
    ]


def _values(row) -> list:
    return [
        row.unit.name,
        row.unit.code,
        row.parent_name,
        row.unit.get_level_display(),
        row.need,
        row.have,
        _yes_no(row.covered),
        row.grassroots_covered,
        row.grassroots_total,
    ]


def _summary(report) -> list[list]:
    return [
        [_("Grassroots units"), report.grassroots_total],
        [_("Grassroots units covered"), report.grassroots_covered],
        [_("Share covered (%)"), report.share],
        [_("National plan target (%)"), selectors.TARGET_PERCENT],
    ]


def _filename(ext: str, today) -> str:
    return f'attachment; filename="coverage-{today:%Y%m%d}.{ext}"'


def _csv(report, *, today) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(v) for v in _header()])
    for row in report.rows:
        writer.writerow([safe_cell("" if v is None else v) for v in _values(row)])
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _filename("csv", today)
    return response


def _xlsx(report, *, today) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Coverage")[:31]
    sheet.append([safe_cell(v) for v in _header()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append([safe_cell(v) for v in _values(row)])
    summary = book.create_sheet(_("Summary")[:31])
    for line in _summary(report):
        summary.append([safe_cell(v) for v in line])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _filename("xlsx", today)
    return response


urlpatterns = [
    path("pool/coverage/", coverage, name="coverage"),
    path("pool/coverage/<int:unit_pk>/", coverage, name="coverage_unit"),
]
