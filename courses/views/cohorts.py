"""The cohort progress grid for coordinators, on screen and as XLSX."""

from io import BytesIO

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from lms.core.decorators import role_required
from lms.core.models import Role
from lms.core.selectors import unit_get_for, units_visible_to
from lms.core.spreadsheets import safe_cell

from ..selectors import cohorts as selectors

OVERDUE_FILL = PatternFill("solid", fgColor="FBEAEA")


def _grid(request, pk):
    cohort = selectors.cohort_get_for(user=request.user, pk=pk)
    unit = None
    if request.GET.get("unit"):
        try:
            unit = unit_get_for(user=request.user, pk=int(request.GET["unit"]))
        except ValueError:
            unit = None
    return cohort, unit, selectors.cohort_grid(cohort=cohort, unit=unit)


@role_required(Role.COORDINATOR)
def cohort_grid(request, pk: int):
    """Members × assigned parts, with completion, hours and what is overdue;
    filter by unit."""
    cohort, unit, grid = _grid(request, pk)
    units = units_visible_to(user=request.user).filter(cohort.unit.subtree_q())
    return render(
        request,
        "courses/cohort_grid.html",
        {"cohort": cohort, "grid": grid, "units": units, "unit": unit},
    )


@role_required(Role.COORDINATOR)
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
    path("<int:pk>/grid/", cohort_grid, name="show"),
    path("<int:pk>/grid.xlsx", cohort_grid_export, name="export"),
]
