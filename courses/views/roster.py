"""Coordinators' roster import pages: upload, preview, import, progress.

Every view needs the coordinator role; imports are fetched through
``courses.selectors.roster``, so one outside the coordinator's subtree is a 404.
The services check permissions again, so these views only translate
their answers into pages.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lms.core.decorators import role_required
from lms.core.models import Role
from lms.core.selectors import units_manageable_by

from .. import roster_files
from ..models import RosterImport
from ..selectors import roster as selectors
from ..services import roster as services

ROWS_PER_PAGE = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class RosterUploadForm(forms.Form):
    """The unit people join by default, an optional cohort, and the file.
    The file is judged by the service from its content, not its name."""

    unit = UnitChoiceField(
        label=gettext_lazy("Unit"),
        queryset=None,
        help_text=gettext_lazy("Rows with an empty 单位编码 column join this unit."),
    )
    cohort = forms.ModelChoiceField(
        label=gettext_lazy("Cohort"),
        queryset=None,
        required=False,
        help_text=gettext_lazy(
            "Optional: everyone in the file also joins this cohort."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy(
            "An Excel workbook (.xlsx) or a CSV file, at most 20,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_manageable_by(user=user).order_by("path")
        self.fields["cohort"].queryset = selectors.roster_cohorts_for(user=user)
        if user.home_unit_id and not self.is_bound and "unit" not in self.initial:
            self.initial["unit"] = user.home_unit_id

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > roster_files.MAX_BYTES:
            raise ValidationError(
                _(
                    "The file is larger than %(size)s MB; split the roster into smaller files."
                )
                % {"size": roster_files.MAX_BYTES // (1024 * 1024)}
            )
        return upload


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    """The upload form, and the user's recent imports."""
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, user=request.user)
    else:
        # A cohort page can link here with ?cohort=<id> (and ?unit=<id>);
        # a value outside the user's choices simply selects nothing.
        initial = {
            key: request.GET[key]
            for key in ("unit", "cohort")
            if request.GET.get(key, "").isdigit()
        }
        form = RosterUploadForm(user=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.roster_preview(
                actor=request.user,
                upload=data["file"],
                filename=data["file"].name,
                unit=data["unit"],
                cohort=data["cohort"],
            )
        except ValidationError as refused:
            form.add_error("file", refused)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            return redirect("roster:preview", pk=item.pk)
    recent = selectors.roster_imports_visible_to(user=request.user).filter(
        created_by=request.user
    )[:10]
    return render(
        request,
        "courses/roster/upload.html",
        {
            "form": form,
            "recent": recent,
            "role_words": list(roster_files.ROLE_WORDS.values()),
        },
    )


def _page_of_rows(request, rows: list[dict]):
    flagged = [row for row in rows if row["problems"] or row["warnings"]]
    show = request.GET.get("show")
    if show not in ("all", "flagged"):
        show = "flagged" if flagged else "all"
    chosen = flagged if show == "flagged" else rows
    return show, Paginator(chosen, ROWS_PER_PAGE).get_page(request.GET.get("page"))


@role_required(Role.COORDINATOR)
@require_safe
def preview(request, pk: int):
    """Every row of the file with what will happen to it and why not."""
    item = selectors.roster_import_get_for(user=request.user, pk=pk)
    report = item.report or {}
    show, page = _page_of_rows(request, report.get("rows", []))
    return render(
        request,
        "courses/roster/preview.html",
        {
            "item": item,
            "counts": report.get("counts", {}),
            "message": report.get("message", ""),
            "page": page,
            "show": show,
            "can_start": item.status == RosterImport.Status.PREVIEWED
            and not item.error_rows
            and item.created_by_id == request.user.pk,
        },
    )


@role_required(Role.COORDINATOR)
@require_POST
def start(request, pk: int):
    """Import a previewed file: at once when small, else by a worker."""
    item = selectors.roster_import_get_for(user=request.user, pk=pk)
    try:
        item = services.roster_import_start(actor=request.user, roster_import=item)
    except (ValidationError, PermissionDenied) as refused:
        text = (
            " ".join(refused.messages)
            if isinstance(refused, ValidationError)
            else str(refused)
        )
        messages.error(request, text or _("You cannot import this file."))
        return redirect("roster:preview", pk=item.pk)
    return redirect("roster:progress", pk=item.pk)


@role_required(Role.COORDINATOR)
@require_safe
def progress(request, pk: int):
    """The import's progress, polled from ``status``; then its result."""
    item = selectors.roster_import_get_for(user=request.user, pk=pk)
    new_people, new_count = selectors.roster_import_new_people(
        user=request.user, roster_import=item
    )
    return render(
        request,
        "courses/roster/progress.html",
        {
            "item": item,
            "new_people": new_people,
            "new_more": new_count - len(new_people),
            "state": _state(item),
            "result": (item.report or {}).get("result", {}),
            "message": (item.report or {}).get("message", ""),
        },
    )


def _state(item: RosterImport) -> dict:
    finished = item.status in (RosterImport.Status.DONE, RosterImport.Status.FAILED)
    return {
        "status": item.status,
        "label": str(item.get_status_display()),
        "processed": selectors.roster_import_progress(item),
        "total": item.total_rows,
        "finished": finished,
        "message": (item.report or {}).get("message", "") if finished else "",
    }


@role_required(Role.COORDINATOR)
@require_safe
@never_cache
def status(request, pk: int):
    """JSON for the progress page: status, processed and total rows."""
    item = selectors.roster_import_get_for(user=request.user, pk=pk)
    return JsonResponse(_state(item))


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.COORDINATOR)
@require_safe
def template_xlsx(request):
    """The template workbook, with a sheet of the user's unit codes."""
    units = units_manageable_by(user=request.user).order_by("path")
    content = roster_files.template_xlsx(units=units.values_list("code", "name"))
    return _download(content, "roster-template.xlsx", XLSX_TYPE)


@role_required(Role.COORDINATOR)
@require_safe
def template_csv(request):
    return _download(
        roster_files.template_csv(), "roster-template.csv", "text/csv; charset=utf-8"
    )


urlpatterns = [
    path("", upload, name="upload"),
    path("template.xlsx", template_xlsx, name="template_xlsx"),
    path("template.csv", template_csv, name="template_csv"),
    path("<int:pk>/", preview, name="preview"),
    path("<int:pk>/import/", start, name="start"),
    path("<int:pk>/progress/", progress, name="progress"),
    path("<int:pk>/status/", status, name="status"),
]
