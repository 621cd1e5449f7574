"""Wagtail admin for offline sessions: list, filter, search and export,
plan and edit through ``courses.services.sessions``, scoped to the
coordinator's subtree.  Registered by its own hook below (imported from
``courses.wagtail_hooks``).

The viewset is named "sessions" (its URLs are under /admin/sessions/),
but its URL namespace is ``session_admin``: the front-end check-in pages
already use the ``sessions`` namespace.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from lms.core.selectors import people_manageable_by, units_manageable_by
from lms.core.viewsets import ScopedFilterSet, ServiceErrorsOnForm, scoped_view

from ..models import Cohort, OfflineSession
from ..selectors import sessions as selectors
from ..services import sessions as session_services


def _sessions(user):
    return selectors.sessions_with_counts(
        selectors.sessions_manageable_by(user=user)
    ).order_by("-starts_at")


def _units_for_filter(request):
    return units_manageable_by(user=request.user).order_by("path")


class SessionFilterSet(ScopedFilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=_units_for_filter, label=gettext_lazy("Unit")
    )
    starts_on = django_filters.DateFromToRangeFilter(
        field_name="starts_at__date",
        label=gettext_lazy("Date"),
        widget=DateRangePickerWidget,
    )

    class Meta:
        model = OfflineSession
        fields = ["kind"]


class SessionForm(WagtailAdminModelForm):
    """The plan of a session.  The service checks it again (scope, times,
    hours, capacity) and names each refused field."""

    class Meta:
        model = OfflineSession
        fields = [
            "kind",
            "title",
            "unit",
            "cohort",
            "place",
            "starts_at",
            "ends_at",
            "credit_hours",
            "capacity",
            "facilitators",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None:
            units = units_manageable_by(user=for_user)
            self.fields["unit"].queryset = units.order_by("path")
            self.fields["cohort"].queryset = Cohort.objects.filter(unit__in=units)
            self.fields["facilitators"].queryset = people_manageable_by(
                user=for_user
            ).order_by("full_name", "username")
            if for_user.home_unit_id and not self.initial.get("unit"):
                self.initial["unit"] = for_user.home_unit_id
        self.fields["facilitators"].required = False

    def clean(self):
        # The model's check constraints would otherwise answer with their
        # names; a field error here also keeps them from running.
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        hours = data.get("credit_hours")
        if hours is not None and hours < 0:
            self.add_error(
                "credit_hours",
                _(
                    "Credit hours must be a number from 0 to 999.99, with at most two decimals."
                ),
            )
        return data


def _session_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "title": data["title"],
        "unit": data["unit"],
        "cohort": data.get("cohort"),
        "place": data["place"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "credit_hours": data["credit_hours"],
        "capacity": data.get("capacity"),
        "facilitators": list(data.get("facilitators") or []),
    }


class SessionCreateView(
    ServiceErrorsOnForm, scoped_view(generic.CreateView, _sessions)
):
    def save_instance(self):
        session = session_services.session_create(
            actor=self.request.user, **_session_fields(self.form)
        )
        log(instance=session, action="wagtail.create", user=self.request.user)
        return session


class SessionEditView(ServiceErrorsOnForm, scoped_view(generic.EditView, _sessions)):
    def save_instance(self):
        session = session_services.session_update(
            actor=self.request.user,
            session=self.form.instance,
            **_session_fields(self.form),
        )
        log(instance=session, action="wagtail.edit", user=self.request.user)
        return session


class SessionDeleteView(scoped_view(generic.DeleteView, _sessions)):
    def delete_action(self):
        session_services.session_delete(actor=self.request.user, session=self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.get_success_url())


class SessionIndexView(scoped_view(generic.IndexView, _sessions)):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons += [
            MenuItem(
                _("Check-in screen"),
                url=reverse("sessions:screen", args=[instance.pk]),
                icon_name="view",
                priority=5,
            ),
            MenuItem(
                _("Attendance"),
                url=reverse("sessions:attendance", args=[instance.pk]),
                icon_name="list-ul",
                priority=6,
            ),
        ]
        return buttons


class SessionViewSet(ModelViewSet):
    model = OfflineSession
    url_namespace = "session_admin"
    icon = "date"
    menu_order = 170
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    delete_view_class = SessionDeleteView
    history_view_class = scoped_view(generic.HistoryView, _sessions)
    usage_view_class = scoped_view(generic.UsageView, _sessions)
    filterset_class = SessionFilterSet
    list_display = [
        "title",
        "kind",
        "unit",
        "starts_at",
        "place",
        Column("present", label=gettext_lazy("Present")),
        "capacity",
    ]
    search_fields = ["title", "place"]
    search_backend_name = None
    ordering = ["-starts_at"]
    list_export = [
        "title",
        "kind",
        "unit",
        "cohort",
        "place",
        "starts_at",
        "ends_at",
        "credit_hours",
        "capacity",
        "present",
    ]
    export_headings = {"present": gettext_lazy("Present")}
    export_filename = "offline-sessions"

    def get_form_class(self, for_update=False):
        return SessionForm


@hooks.register("register_admin_viewset")
def register_sessions():
    return SessionViewSet("sessions")
