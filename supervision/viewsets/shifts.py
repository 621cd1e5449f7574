"""Wagtail admin for duty shifts ("值班 / Duty shifts") and quota
exemptions, scoped to the coordinator's subtree; writes go through
``supervision.services.shifts_admin``.  Calling a shift off is on the
front-end roster page (linked from the list), where the reason is asked."""

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from lms.core.selectors import units_manageable_by
from lms.core.viewsets import ScopedFilterSet, ServiceErrorsOnForm, scoped_view

from ..forms.shifts import ExemptionAdminForm, ShiftAdminForm
from ..models import DutyShift, QuotaExemption
from ..selectors import shifts as selectors
from ..services import shifts_admin as services


def _shifts(user):
    return selectors.with_counts(selectors.shifts_manageable_by(user=user)).order_by(
        "-starts_at"
    )


def _exemptions(user):
    return selectors.exemptions_manageable_by(user=user)


def _units_for_filter(request):
    return units_manageable_by(user=request.user).order_by("path")


class ShiftFilterSet(ScopedFilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=_units_for_filter, label=gettext_lazy("Unit")
    )
    starts_on = django_filters.DateFromToRangeFilter(
        field_name="starts_at__date",
        label=gettext_lazy("Date"),
        widget=DateRangePickerWidget,
    )

    class Meta:
        model = DutyShift
        fields = []


def _plan(form) -> dict:
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


class ShiftCreateView(ServiceErrorsOnForm, scoped_view(generic.CreateView, _shifts)):
    def save_instance(self):
        shifts = services.shift_create(
            actor=self.request.user,
            repeat_weeks=self.form.cleaned_data.get("repeat_weeks") or 0,
            **_plan(self.form),
        )
        for shift in shifts:
            log(instance=shift, action="wagtail.create", user=self.request.user)
        return shifts[0]


class ShiftEditView(ServiceErrorsOnForm, scoped_view(generic.EditView, _shifts)):
    def save_instance(self):
        shift = services.shift_update(
            actor=self.request.user, shift=self.form.instance, **_plan(self.form)
        )
        log(instance=shift, action="wagtail.edit", user=self.request.user)
        return shift


class ShiftDeleteView(scoped_view(generic.DeleteView, _shifts)):
    def delete_action(self):
        services.shift_delete(actor=self.request.user, shift=self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.get_success_url())


class ShiftIndexView(scoped_view(generic.IndexView, _shifts)):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons += [
            MenuItem(
                _("Check-in screen"),
                url=reverse("supervision:shift_screen", args=[instance.pk]),
                icon_name="view",
                priority=5,
            ),
            MenuItem(
                _("Roster, no-shows and cancelling"),
                url=reverse("supervision:shift_roster", args=[instance.pk]),
                icon_name="list-ul",
                priority=6,
            ),
        ]
        return buttons


class ShiftViewSet(ModelViewSet):
    model = DutyShift
    url_namespace = "shift_admin"
    menu_label = gettext_lazy("Duty shifts")
    icon = "time"
    menu_order = 180
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ShiftIndexView
    add_view_class = ShiftCreateView
    edit_view_class = ShiftEditView
    delete_view_class = ShiftDeleteView
    history_view_class = scoped_view(generic.HistoryView, _shifts)
    usage_view_class = scoped_view(generic.UsageView, _shifts)
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
    search_backend_name = None
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


class ExemptionCreateView(
    ServiceErrorsOnForm, scoped_view(generic.CreateView, _exemptions)
):
    def save_instance(self):
        exemption = services.quota_exemption_create(
            actor=self.request.user, **_exemption_fields(self.form)
        )
        log(instance=exemption, action="wagtail.create", user=self.request.user)
        return exemption


class ExemptionEditView(
    ServiceErrorsOnForm, scoped_view(generic.EditView, _exemptions)
):
    def save_instance(self):
        exemption = services.quota_exemption_update(
            actor=self.request.user,
            exemption=self.form.instance,
            **_exemption_fields(self.form),
        )
        log(instance=exemption, action="wagtail.edit", user=self.request.user)
        return exemption


class ExemptionDeleteView(scoped_view(generic.DeleteView, _exemptions)):
    def delete_action(self):
        services.quota_exemption_delete(actor=self.request.user, exemption=self.object)


class ExemptionViewSet(ModelViewSet):
    model = QuotaExemption
    url_namespace = "exemption_admin"
    menu_label = gettext_lazy("Quota exemptions")
    icon = "calendar-check"
    menu_order = 181
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = scoped_view(generic.IndexView, _exemptions)
    add_view_class = ExemptionCreateView
    edit_view_class = ExemptionEditView
    delete_view_class = ExemptionDeleteView
    history_view_class = scoped_view(generic.HistoryView, _exemptions)
    usage_view_class = scoped_view(generic.UsageView, _exemptions)
    list_display = ["person", "starts_on", "ends_on", "reason", "created_by"]
    search_fields = ["person__full_name", "person__username", "reason"]
    search_backend_name = None
    ordering = ["-starts_on"]
    list_export = ["person", "starts_on", "ends_on", "reason", "created_by"]
    export_filename = "quota-exemptions"

    def get_form_class(self, for_update=False):
        return ExemptionAdminForm


VIEWSETS = [ShiftViewSet("duty_shifts"), ExemptionViewSet("quota_exemptions")]
