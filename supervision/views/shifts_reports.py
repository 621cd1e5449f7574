"""The roster of one shift (sign-ups, waiting list, check-in and out
times, no-shows, excusing one; calling the shift off) and the monthly
compliance list of a subtree, as a page and as CSV or XLSX."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from lms.core.models import AuditAction, OrgUnit, Role
from lms.core.selectors import units_visible_to
from lms.core.services.audit import audit_record
from lms.core.spreadsheets import safe_cell

from ..forms.shifts import CallOffForm, ExcuseForm, parse_month
from ..permissions import can_manage_shift, can_see_roster, can_view_compliance
from ..selectors import shifts as selectors
from ..selectors import shifts_quota
from ..services import shifts_admin
from ..services.shifts_attendance import signup_excuse


def _roster_url(shift) -> str:
    return reverse("supervision:shift_roster", args=[shift.pk])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def shift_roster(request, pk: int):
    """For the coordinators over the shift and its supervisor on duty; a
    POST (coordinators only) excuses a no-show with a reason."""
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    if not can_see_roster(request.user, shift):
        raise PermissionDenied
    can_manage = can_manage_shift(request.user, shift)
    bound = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        bound = ExcuseForm(request.POST, shift=shift)
        if bound.is_valid():
            try:
                signup_excuse(
                    actor=request.user,
                    signup=bound.cleaned_data["signup"],
                    reason=bound.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as error:
                bound.add_error("reason", error)
            else:
                messages.success(request, _("The absence was excused."))
                return HttpResponseRedirect(_roster_url(shift))
    context = {
        "shift": shift,
        "roster": selectors.roster_for(shift=shift),
        "can_manage": can_manage,
        "bound": bound,
        "call_off_form": CallOffForm(),
        "ended": timezone.now() > shift.ends_at,
    }
    status = 400 if bound is not None else 200
    return render(request, "supervision/shifts/roster.html", context, status=status)


@login_required
@require_POST
def shift_call_off(request, pk: int):
    """Cancel the whole shift (coordinators); everyone on it is told."""
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    if not can_manage_shift(request.user, shift):
        raise PermissionDenied
    form = CallOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return HttpResponseRedirect(_roster_url(shift))
    try:
        shifts_admin.shift_call_off(
            actor=request.user, shift=shift, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The shift was cancelled and everyone on it told."))
    return HttpResponseRedirect(_roster_url(shift))


# --- the compliance list ------------------------------------------------------------


def _unit_for(request) -> OrgUnit:
    """The unit asked for (default: the user's own), which must lie in
    what they see; anything else is a 404."""
    raw = request.GET.get("unit") or request.user.home_unit_id
    if raw is None or not str(raw).isdigit() or len(str(raw)) > 12:
        raise Http404
    unit = units_visible_to(user=request.user).filter(pk=int(raw)).first()
    if unit is None or not can_view_compliance(request.user, unit):
        raise Http404
    return unit


STATUSES = (
    shifts_quota.MET,
    shifts_quota.ON_TRACK,
    shifts_quota.BEHIND,
    shifts_quota.EXEMPT,
)


def _status_label(value: str) -> str:
    return {
        shifts_quota.MET: _("Met"),
        shifts_quota.ON_TRACK: _("On track"),
        shifts_quota.BEHIND: _("Behind"),
        shifts_quota.EXEMPT: _("Exempt"),
    }[value]


@login_required
@require_http_methods(["GET", "HEAD"])
def shift_compliance(request):
    """Every trainee of the unit's subtree with their month: quota,
    attended, upcoming, no-shows, excused, exempt days and status.
    ``?format=csv`` or ``xlsx`` downloads the same rows."""
    user = request.user
    if not (
        user.is_superuser
        or user.has_role(Role.COORDINATOR)
        or user.has_role(Role.LEADER)
    ):
        raise PermissionDenied
    unit = _unit_for(request)
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    if month is None:
        return render(
            request,
            "supervision/shifts/compliance.html",
            {
                "unit": unit,
                "error": _("Give the month as year and month, like 2026-03."),
            },
            status=400,
        )
    rows = shifts_quota.compliance_rows(unit=unit, month=month)
    for row in rows:
        row["status_label"] = _status_label(row["quota"].status)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            obj=unit,
            request=request,
            detail=f"shift compliance {month:%Y-%m} ({export})",
        )
        return (_csv if export == "csv" else _xlsx)(rows, unit=unit, month=month)
    return render(
        request,
        "supervision/shifts/compliance.html",
        {
            "unit": unit,
            "month": month,
            "rows": rows,
            "units": units_visible_to(user=user).order_by("path"),
            "summary": {
                status: sum(1 for r in rows if r["quota"].status == status)
                for status in STATUSES
            },
        },
    )


def _header() -> list[str]:
    return [
        _("Name"),
        _("Username"),
        _("Unit"),
        _("Quota"),
        _("Required"),
        _("Attended"),
        _("Upcoming"),
        _("No-shows"),
        _("Excused"),
        _("Exempt days"),
        _("Status"),
    ]


def _values(row) -> list:
    person, quota = row["person"], row["quota"]
    return [
        person.full_name or person.username,
        person.username,
        str(person.home_unit),
        quota.quota,
        quota.required,
        quota.attended,
        quota.upcoming,
        row["no_shows"],
        row["excused"],
        quota.exempt_days,
        row["status_label"],
    ]


def _filename(unit, month, ext: str) -> str:
    return f'attachment; filename="shift-compliance-{unit.code}-{month:%Y-%m}.{ext}"'


def _csv(rows, *, unit, month) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(v) for v in _header()])
    for row in rows:
        writer.writerow([safe_cell(v) for v in _values(row)])
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _filename(unit, month, "csv")
    return response


def _xlsx(rows, *, unit, month) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{month:%Y-%m}"
    sheet.append([safe_cell(v) for v in _header()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in _values(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _filename(unit, month, "xlsx")
    return response


urlpatterns = [
    path("shifts/compliance/", shift_compliance, name="shift_compliance"),
    path("shifts/<int:pk>/roster/", shift_roster, name="shift_roster"),
    path("shifts/<int:pk>/call-off/", shift_call_off, name="shift_call_off"),
]
