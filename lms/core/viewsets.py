"""Wagtail admin viewsets: units and people, scoped to the coordinator's
subtree, with search, filters and spreadsheet export from Wagtail; and what
every admin viewset of the project is built from: ``ScopedViewSet``, whose
views find rows only through the model's ``ScopedPolicy``
(``lms.core.policies``), list through ``ScopedFilterSet`` and export through
``SafeSpreadsheetExport``; and the views whose writes are one service call
(``ServiceCreateView``, ``ServiceEditView``, ``ServiceDeleteView``)."""

import django_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from .audit_words import detail_label
from .forms import OrgUnitForm, PersonForm
from .models import AuditEvent, OrgUnit, User
from .policies import ACTIONS, ScopedPolicy
from .selectors import units_manageable_by
from .services.org import unit_create, unit_update
from .services.people import person_create, person_update
from .spreadsheets import SafeSpreadsheetExport


def _rows_for(user, model) -> QuerySet | None:
    """The rows of ``model`` an admin view may show ``user``: those its
    ``ScopedPolicy`` gives for any action.  None for a model without one
    (Wagtail's groups), whose rows are not ours to narrow."""
    policy = policy_registry.get_by_type(model, fallback=False)
    if not isinstance(policy, ScopedPolicy):
        return None
    return policy.instances_user_has_any_permission_for(user, ACTIONS)


def _narrowed(choices, user):
    def queryset(request):
        offered = choices(request) if callable(choices) else choices
        rows = _rows_for(user, offered.model)
        if rows is None:
            return offered
        return offered.filter(pk__in=rows.values("pk"))

    return queryset


class YesNoColumn(Column):
    """A true/false field read as 是 / 否 (Wagtail's ``BooleanColumn`` shows
    an icon whose screen-reader text is Python's English ``True``)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return ""
        return _("Yes") if value else _("No")


class ScopedFilterSet(WagtailFilterSet):
    """A listing's filters, whose choices of units, people or any other row
    with a scoped listing hold only what that listing shows the user, however
    the filter was declared (``list_filter`` or by hand): a filter never
    names a sibling unit, its people or its rows."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for choice_filter in self.filters.values():
            if (
                isinstance(choice_filter, QuerySetRequestMixin)
                and choice_filter.queryset is not None
            ):
                choice_filter.queryset = _narrowed(choice_filter.queryset, request.user)


def _units_for_filter(request):
    return units_manageable_by(user=request.user).order_by("path")


class UnitAndDateFilterSet(ScopedFilterSet):
    """Filters of a listing of dated rows of units (sessions, shifts): the
    unit, among the user's, and a range of days on ``starts_at``."""

    unit = django_filters.ModelChoiceFilter(queryset=_units_for_filter, label=_("Unit"))
    starts_on = django_filters.DateFromToRangeFilter(
        field_name="starts_at__date", label=_("Date"), widget=DateRangePickerWidget
    )


class ExportIndexView(SafeSpreadsheetExport, generic.IndexView):
    """Wagtail's listing, its CSV and XLSX exports through ``safe_cell``."""

    base_filterset_class = ScopedFilterSet


class _PolicyRows:
    """A view finds rows only among those the model's policy gives the user
    for any action; what the user may do with one is the view's own
    permission check.  So an outsider's id is not found (404) and an
    insider without the right is refused (403)."""

    def policy_rows(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ACTIONS
        )


class ScopedIndexView(_PolicyRows, ExportIndexView):
    """The listing.  ``row_links``: more links in each row's menu, as
    (label, URL name taking the row's pk, icon)."""

    row_links = ()

    def get_base_queryset(self):
        return self.policy_rows()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        return buttons + [
            MenuItem(
                label,
                url=reverse(url_name, args=[instance.pk]),
                icon_name=icon,
                priority=5 + number,
            )
            for number, (label, url_name, icon) in enumerate(self.row_links)
        ]


class ScopedCreateView(_PolicyRows, generic.CreateView):
    def get_queryset(self):
        return self.policy_rows()


class ScopedEditView(_PolicyRows, generic.EditView):
    def get_queryset(self):
        return self.policy_rows()


class ScopedDeleteView(_PolicyRows, generic.DeleteView):
    def get_queryset(self):
        return self.policy_rows()


class ScopedInspectView(_PolicyRows, generic.InspectView):
    """Wagtail's inspect view fetches from the model's manager; fetch from
    the policy's rows instead."""

    def get_object(self, queryset=None):
        return get_object_or_404(self.policy_rows(), pk=unquote(str(self.pk)))


class ScopedHistoryView(_PolicyRows, generic.HistoryView):
    """History and usage views' own ``get_queryset`` lists log entries
    rather than the object."""

    def get_base_object_queryset(self):
        return self.policy_rows()


class ScopedUsageView(_PolicyRows, generic.UsageView):
    def get_base_object_queryset(self):
        return self.policy_rows()


class ScopedViewSet(ModelViewSet):
    """Every admin viewset of the project: its model has a ``ScopedPolicy``,
    registered before the viewset (``register_policies``), which says what
    the user may do and which rows every view of the viewset finds."""

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    search_backend_name = None

    def register_permissions(self):
        policy = policy_registry.get_by_type(self.model, fallback=False)
        if not isinstance(policy, ScopedPolicy):
            raise ImproperlyConfigured(
                f"Register a ScopedPolicy for {self.model.__name__} before "
                f"{type(self).__name__}: Django's model permissions know nothing "
                "of units."
            )
        super().register_permissions()


class ServiceErrorsOnForm:
    """A service's refusal shown on the Wagtail form like any invalid input:
    a ``ValidationError`` naming fields goes on those fields, anything else
    on ``error_field`` (above the form when None), and a
    ``PermissionDenied`` above the form.  The transaction around
    ``save_instance`` has rolled back, so nothing was saved.  Every admin
    view whose save goes through a service uses this one mixin."""

    error_field = None

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            field = self.error_field
            if isinstance(error, PermissionDenied):
                error = ValidationError(str(error) or _("You cannot do this."))
                field = None
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(field, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


def _naming(argument: str | None, row) -> dict:
    return {argument: row} if argument else {}


class ServiceCreateView(ServiceErrorsOnForm, ScopedCreateView):
    """A create view whose save is one service call:
    ``create_service(actor=<the user>, **self.service_arguments())``, inside
    the view's transaction, its refusals on the form.

    ``create_service`` and ``form_arguments`` are plain functions set as
    class attributes (the view calls them through its class, unbound).  A
    service that makes several rows (a shift repeated weekly) returns them
    in a list; the first is the one the view goes on with.  Each new row
    gets ``history_action`` in its Wagtail history, as Wagtail's own save
    would write; None where the service keeps the only trail."""

    create_service = None
    form_arguments = None
    history_action = "wagtail.create"

    def service_arguments(self) -> dict:
        """The service's arguments besides ``actor``: by default
        ``form_arguments(form)``, a function of the valid form."""
        form_arguments = type(self).form_arguments
        return form_arguments(self.form) if form_arguments else {}

    def save_instance(self):
        made = type(self).create_service(
            actor=self.request.user, **self.service_arguments()
        )
        rows = made if isinstance(made, list) else [made]
        if self.history_action:
            for row in rows:
                log(instance=row, action=self.history_action, user=self.request.user)
        return rows[0]


class ServiceEditView(ServiceErrorsOnForm, ScopedEditView):
    """An edit view whose save is one service call:
    ``update_service(actor=<the user>, <object_argument>=<the row>,
    **self.service_arguments())``, as ``ServiceCreateView``."""

    update_service = None
    object_argument = None
    form_arguments = None
    history_action = "wagtail.edit"

    def service_arguments(self) -> dict:
        form_arguments = type(self).form_arguments
        return form_arguments(self.form) if form_arguments else {}

    def save_instance(self):
        row = type(self).update_service(
            actor=self.request.user,
            **_naming(self.object_argument, self.object),
            **self.service_arguments(),
        )
        if self.history_action:
            log(instance=row, action=self.history_action, user=self.request.user)
        return row


class _Refused(Exception):
    def __init__(self, sentence):
        super().__init__(sentence)
        self.sentence = sentence


class ServiceDeleteView(ScopedDeleteView):
    """A delete view whose delete is one service call:
    ``delete_service(actor=<the user>, <object_argument>=<the row>)``.  A
    refusal (``ValidationError``, ``PermissionDenied``) comes back to the
    listing as an error message, and nothing was deleted."""

    delete_service = None
    object_argument = None

    def delete_action(self):
        try:
            type(self).delete_service(
                actor=self.request.user, **_naming(self.object_argument, self.object)
            )
        except ValidationError as error:
            raise _Refused(" ".join(error.messages)) from error
        except PermissionDenied as error:
            raise _Refused(str(error) or _("You cannot do this.")) from error

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except _Refused as refused:
            messages.error(self.request, refused.sentence)
            return redirect(self.get_success_url())


class UnitCreateView(ServiceCreateView):
    create_service = unit_create
    history_action = None  # the service writes the audit row

    def service_arguments(self) -> dict:
        data = self.form.cleaned_data
        return {
            "parent": data.get("parent"),
            "name": data["name"],
            "code": data["code"],
            "level": data["level"],
            "address": data.get("address", ""),
            "request": self.request,
        }


class UnitEditView(ServiceEditView):
    update_service = unit_update
    object_argument = "unit"
    history_action = None

    def service_arguments(self) -> dict:
        return {
            "changed": self.form.changed_data,
            "request": self.request,
        }


class OrgUnitViewSet(ScopedViewSet):
    model = OrgUnit

    def get_form_class(self, for_update=False):
        return OrgUnitForm

    icon = "site"
    menu_label = _("Units")
    menu_order = 210
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    list_display = [
        "name",
        "code",
        "level",
        Column("parent_name", label=_("Parent unit")),
        YesNoColumn("is_active", label=_("active")),
    ]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code", "address"]
    ordering = ["path"]
    list_export = ["name", "code", "level", "parent_name", "address", "is_active"]
    export_headings = {"parent_name": _("Parent unit")}
    export_filename = "units"


class PersonCreateView(ServiceCreateView):
    create_service = person_create
    history_action = None

    def service_arguments(self) -> dict:
        data = self.form.cleaned_data
        return {
            "username": data["username"],
            "full_name": data["full_name"],
            "email": data.get("email", ""),
            "home_unit": data.get("home_unit"),
            "roles": data.get("roles", []),
            "staff_number": data.get("staff_number", ""),
            "phone": data.get("phone", ""),
            "category": data.get("category", ""),
            "request": self.request,
        }


class PersonEditView(ServiceEditView):
    update_service = person_update
    object_argument = "person"
    history_action = None

    def service_arguments(self) -> dict:
        return {
            "roles": self.form.cleaned_data.get("roles", []),
            "request": self.request,
        }


class PersonViewSet(ScopedViewSet):
    """Replaces Wagtail's own users section (see ``WagtailUsersConfig``)."""

    model = User

    def get_form_class(self, for_update=False):
        return PersonForm

    icon = "user"
    menu_label = _("People")
    menu_order = 220
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = PersonCreateView
    edit_view_class = PersonEditView
    list_display = [
        "full_name",
        "username",
        "home_unit",
        Column("role_list", label=_("Roles")),
        YesNoColumn("is_active", label=_("active")),
    ]
    list_filter = ["groups", "category", "is_active"]
    search_fields = ["username", "full_name", "email", "staff_number", "phone"]
    ordering = ["home_unit__path", "full_name"]
    list_export = [
        "full_name",
        "username",
        "email",
        "staff_number",
        "phone",
        "category",
        "home_unit",
        "role_list",
        "is_active",
    ]
    export_headings = {"role_list": _("Roles")}
    export_filename = "people"


class ActorColumn(Column):
    """Who acted, by full name (the row keeps the username it was written
    with, shown when the person is gone or never signed in)."""

    def get_value(self, instance):
        actor = instance.actor
        if actor is not None and actor.full_name:
            return actor.full_name
        return instance.actor_label


class ActionColumn(Column):
    """The action's label (登录, 导出数据), never its code word."""

    def get_value(self, instance):
        return instance.get_action_display()


class DetailColumn(Column):
    """The detail worded in the reader's language where its shape is known
    (``lms.core.audit_words``)."""

    def get_value(self, instance):
        return detail_label(instance.detail)


class AuditIndexView(ScopedIndexView):
    """The audit log's listing; its export says what the columns say (the
    actor's full name, the action's label, the detail in words), not the
    row's code values."""

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        row["actor_label"] = ActorColumn("actor_label").get_value(item)
        row["action"] = item.get_action_display()
        row["detail"] = detail_label(item.detail)
        return row


class AuditEventViewSet(ScopedViewSet):
    """The audit log, read-only, for platform administrators
    (``AuditEventPolicy``)."""

    model = AuditEvent
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 900
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = AuditIndexView
    list_display = [
        "at",
        ActorColumn("actor_label", label=_("actor")),
        ActionColumn("action", label=_("action")),
        "object_repr",
        "ip",
        DetailColumn("detail", label=_("detail")),
    ]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "detail"]
    list_export = ["at", "actor_label", "action", "object_repr", "ip", "detail"]
    export_filename = "audit-log"
    form_fields = ["detail"]  # never shown: the policy allows no add or change
