"""Cohorts read on the front end: the list of cohorts a person may read
and each cohort's progress grid, on screen and as XLSX.

Coordinators and leaders read the cohorts of their subtree, supervisors
those the people they supervise belong to (only those people's rows);
nobody changes a cohort here (coordinators do, in the admin)."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from lms.core.decorators import role_required
from lms.core.models import Role
from lms.core.permissions import can_manage_unit
from lms.core.selectors import unit_get_for, units_visible_to
from lms.core.spreadsheets import safe_cell

from ..selectors import cohorts as selectors

OVERDUE_FILL = PatternFill("solid", fgColor="FBEAEA")


def _grid(request, pk):
    cohort = selectors.cohort_get_for_reading(user=request.user, pk=pk)
    unit = None
    if request.GET.get("unit"):
        try:
            unit = unit_get_for(user=request.user, pk=int(request.GET["unit"]))
        except (ValueError, OverflowError):
            unit = None
    people = selectors.cohort_grid_people_for(user=request.user, cohort=cohort)
    return cohort, unit, selectors.cohort_grid(cohort=cohort, unit=unit, people=people)


@role_required(Role.COORDINATOR, Role.LEADER, Role.SUPERVISOR)
@require_safe
def cohort_list(request):
    """The cohorts the user may read, and for a supervisor the sessions of
    the people they supervise in the coming month."""
    return render(
        request,
        "courses/cohort_list.html",
        {
            "cohorts": selectors.cohorts_listed_for(user=request.user)[:200],
            "supervisee_sessions": selectors.sessions_of_supervisees(user=request.user),
        },
    )


@login_required
@require_safe
def cohort_grid(request, pk: int):
    """Members × assigned parts, with completion, hours and what is overdue;
    filter by unit.  Read-only; coordinators of the unit get a link to edit."""
    cohort, unit, grid = _grid(request, pk)
    units = units_visible_to(user=request.user).filter(cohort.unit.subtree_q())
    return render(
        request,
        "courses/cohort_grid.html",
        {
            "cohort": cohort,
            "grid": grid,
            "units": units,
            "unit": unit,
            "can_edit": can_manage_unit(request.user, cohort.unit),
            "sessions": selectors.cohort_sessions(cohort=cohort),
        },
    )


@login_required
@require_safe
def cohort_grid_export(request, pk: int):
    """The same grid as an XLSX file, formula-safe."""
    cohort, _unit, grid = _grid(request, pk)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Progress")
    header = [_("Name"), _("Unit"), _("Hours")] + [
        a.page.title for a in grid["assignments"]
    ]
    sheet.append([safe_cell(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in grid["rows"]:
        person = row["person"]
        values = [
            person.full_name or person.username,
            str(person.home_unit),
            float(row["hours"]),
        ]
        values += [f"{c['done']}/{c['total']}" for c in row["cells"]]
        sheet.append([safe_cell(value) for value in values])
        for offset, cell in enumerate(row["cells"]):
            if cell["overdue"]:
                sheet.cell(row=sheet.max_row, column=4 + offset).fill = OVERDUE_FILL
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}.xlsx"'
    return response


urlpatterns = [
    path("", cohort_list, name="list"),
    path("<int:pk>/grid/", cohort_grid, name="show"),
    path("<int:pk>/grid.xlsx", cohort_grid_export, name="export"),
]
