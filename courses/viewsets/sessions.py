"""Wagtail admin for offline sessions: list, filter, search and export,
plan and edit through ``courses.services.sessions``, scoped to the
coordinator's subtree.  Registered by its own hook below (imported from
``courses.wagtail_hooks``).

The viewset is named "sessions" (its URLs are under /admin/sessions/),
but its URL namespace is ``session_admin``: the front-end check-in pages
already use the ``sessions`` namespace.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column

from lms.core.selectors import people_manageable_by, units_manageable_by
from lms.core.viewsets import (
    ScopedIndexView,
    ScopedViewSet,
    ServiceCreateView,
    ServiceDeleteView,
    ServiceEditView,
    UnitAndDateFilterSet,
)

from ..models import Cohort, OfflineSession
from ..selectors import sessions as selectors
from ..services import sessions as session_services


class SessionFilterSet(UnitAndDateFilterSet):
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


class SessionCreateView(ServiceCreateView):
    create_service = session_services.session_create
    form_arguments = _session_fields


class SessionEditView(ServiceEditView):
    update_service = session_services.session_update
    object_argument = "session"
    form_arguments = _session_fields


class SessionDeleteView(ServiceDeleteView):
    delete_service = session_services.session_delete
    object_argument = "session"


class SessionIndexView(ScopedIndexView):
    row_links = [
        (gettext_lazy("Check-in screen"), "sessions:screen", "view"),
        (gettext_lazy("Attendance"), "sessions:attendance", "list-ul"),
    ]

    def get_base_queryset(self):
        return selectors.sessions_with_counts(super().get_base_queryset())


class SessionViewSet(ScopedViewSet):
    model = OfflineSession
    url_namespace = "session_admin"
    icon = "date"
    menu_order = 170
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    edit_template_name = "courses/sessions/admin_edit.html"
    delete_view_class = SessionDeleteView
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
