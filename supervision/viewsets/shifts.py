"""Wagtail admin for duty shifts ("值班 / Duty shifts") and quota
exemptions, scoped to the coordinator's subtree; writes go through
``supervision.services.shifts_admin``.  Calling a shift off is on the
front-end roster page (linked from the list), where the reason is asked."""

from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column

from lms.core.viewsets import (
    ScopedIndexView,
    ScopedViewSet,
    ServiceCreateView,
    ServiceDeleteView,
    ServiceEditView,
    UnitAndDateFilterSet,
)

from ..forms.shifts import ExemptionAdminForm, ShiftAdminForm
from ..models import DutyShift, QuotaExemption
from ..selectors import shifts as selectors
from ..services import shifts_admin as services


class ShiftFilterSet(UnitAndDateFilterSet):
    class Meta:
        model = DutyShift
        fields = []


def _shift_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data.get("title", ""),
        "unit": data["unit"],
        "place": data.get("place", ""),
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "capacity": data["capacity"],
        "supervisor": data.get("supervisor"),
        "note": data.get("note", ""),
    }


def _shift_fields_repeated(form) -> dict:
    return {
        "repeat_weeks": form.cleaned_data.get("repeat_weeks") or 0,
        **_shift_fields(form),
    }


class ShiftCreateView(ServiceCreateView):
    create_service = services.shift_create
    form_arguments = _shift_fields_repeated


class ShiftEditView(ServiceEditView):
    update_service = services.shift_update
    object_argument = "shift"
    form_arguments = _shift_fields


class ShiftDeleteView(ServiceDeleteView):
    delete_service = services.shift_delete
    object_argument = "shift"


class ShiftIndexView(ScopedIndexView):
    row_links = [
        (gettext_lazy("Check-in screen"), "supervision:shift_screen", "view"),
        (
            gettext_lazy("Roster, no-shows and cancelling"),
            "supervision:shift_roster",
            "list-ul",
        ),
    ]

    def get_base_queryset(self):
        return selectors.with_counts(super().get_base_queryset())


class ShiftViewSet(ScopedViewSet):
    model = DutyShift
    url_namespace = "shift_admin"
    menu_label = gettext_lazy("Duty shifts")
    icon = "time"
    menu_order = 180
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = ShiftIndexView
    add_view_class = ShiftCreateView
    edit_view_class = ShiftEditView
    delete_view_class = ShiftDeleteView
    filterset_class = ShiftFilterSet
    list_display = [
        "__str__",
        "unit",
        "starts_at",
        "place",
        "supervisor",
        Column("taken", label=gettext_lazy("Signed up")),
        "capacity",
        Column("waiting", label=gettext_lazy("Waiting")),
        "cancelled_at",
    ]
    search_fields = ["title", "place"]
    ordering = ["-starts_at"]
    list_export = [
        "title",
        "unit",
        "place",
        "starts_at",
        "ends_at",
        "supervisor",
        "capacity",
        "taken",
        "waiting",
        "cancelled_at",
    ]
    export_headings = {
        "taken": gettext_lazy("Signed up"),
        "waiting": gettext_lazy("Waiting"),
    }
    export_filename = "duty-shifts"

    def get_form_class(self, for_update=False):
        return ShiftAdminForm


def _exemption_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "person": data["person"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "reason": data["reason"],
    }


class ExemptionCreateView(ServiceCreateView):
    create_service = services.quota_exemption_create
    form_arguments = _exemption_fields


class ExemptionEditView(ServiceEditView):
    update_service = services.quota_exemption_update
    object_argument = "exemption"
    form_arguments = _exemption_fields


class ExemptionDeleteView(ServiceDeleteView):
    delete_service = services.quota_exemption_delete
    object_argument = "exemption"


class ExemptionViewSet(ScopedViewSet):
    model = QuotaExemption
    url_namespace = "exemption_admin"
    menu_label = gettext_lazy("Quota exemptions")
    icon = "calendar-check"
    menu_order = 181
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = ExemptionCreateView
    edit_view_class = ExemptionEditView
    delete_view_class = ExemptionDeleteView
    list_display = ["person", "starts_on", "ends_on", "reason", "created_by"]
    search_fields = ["person__full_name", "person__username", "reason"]
    ordering = ["-starts_on"]
    list_export = ["person", "starts_on", "ends_on", "reason", "created_by"]
    export_filename = "quota-exemptions"

    def get_form_class(self, for_update=False):
        return ExemptionAdminForm


VIEWSETS = [ShiftViewSet("duty_shifts"), ExemptionViewSet("quota_exemptions")]
