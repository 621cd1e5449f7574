"""Wagtail admin viewsets: units and people, scoped to the coordinator's
subtree, with search, filters and spreadsheet export from Wagtail."""

from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from . import selectors, services
from .forms import OrgUnitForm, PersonForm
from .models import AuditEvent, OrgUnit, User
from .spreadsheets import safe_cell


class _ScopedIndex(generic.IndexView):
    def get_base_queryset(self):
        return self.scoped(self.request.user)

    def get_preprocess_function(self, field, value, export_format):
        # Wagtail's XLSX export already writes formulas as text; its CSV
        # export does not, so text Excel would run gets an apostrophe.
        function = super().get_preprocess_function(field, value, export_format)
        if export_format != self.FORMAT_CSV:
            return function
        return lambda item: safe_cell(function(item) if function else item)


class _ScopedObject:
    """Edit and delete views find objects only inside the scope, so an
    outsider's id gives 404 rather than revealing that it exists."""

    def get_queryset(self):
        return self.scoped(self.request.user)


class _ScopedBaseObject:
    """The same for history and usage views, whose own ``get_queryset``
    lists log entries rather than the object."""

    def get_base_object_queryset(self):
        return self.scoped(self.request.user)


class _ScopedInspect:
    """Wagtail's inspect view fetches from the model's manager; fetch from
    the scope instead."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.scoped(self.request.user), pk=unquote(str(self.pk))
        )


def scoped_view(view_class, scoped):
    """``view_class`` restricted to the rows ``scoped(user)`` returns."""
    if view_class is generic.IndexView:
        bases = (_ScopedIndex,)
    elif issubclass(view_class, (generic.HistoryView, generic.UsageView)):
        bases = (_ScopedBaseObject, view_class)
    elif issubclass(view_class, generic.InspectView):
        bases = (_ScopedInspect, view_class)
    else:
        bases = (_ScopedObject, view_class)
    return type(view_class.__name__, bases, {"scoped": staticmethod(scoped)})


def _units(user):
    return selectors.units_manageable_by(user=user)


def _people(user):
    return selectors.people_manageable_by(user=user)


class UnitCreateView(scoped_view(generic.CreateView, _units)):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.unit_create(
            actor=self.request.user,
            parent=data.get("parent"),
            name=data["name"],
            code=data["code"],
            level=data["level"],
            address=data.get("address", ""),
            request=self.request,
        )


class UnitEditView(scoped_view(generic.EditView, _units)):
    def save_instance(self):
        return services.unit_update(
            actor=self.request.user,
            unit=self.form.instance,
            changed=self.form.changed_data,
            request=self.request,
        )


class OrgUnitViewSet(ModelViewSet):
    model = OrgUnit

    def get_form_class(self, for_update=False):
        return OrgUnitForm

    icon = "site"
    menu_label = _("Units")
    menu_order = 210
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = scoped_view(generic.IndexView, _units)
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    delete_view_class = scoped_view(generic.DeleteView, _units)
    history_view_class = scoped_view(generic.HistoryView, _units)
    usage_view_class = scoped_view(generic.UsageView, _units)
    list_display = [
        "name",
        "code",
        "level",
        Column("parent_name", label=_("Parent unit")),
        "is_active",
    ]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code", "address"]
    search_backend_name = None
    ordering = ["path"]
    list_export = ["name", "code", "level", "parent_name", "address", "is_active"]
    export_headings = {"parent_name": _("Parent unit")}
    export_filename = "units"


class PersonCreateView(scoped_view(generic.CreateView, _people)):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.person_create(
            actor=self.request.user,
            username=data["username"],
            full_name=data["full_name"],
            email=data.get("email", ""),
            home_unit=data.get("home_unit"),
            roles=data.get("roles", []),
            staff_number=data.get("staff_number", ""),
            phone=data.get("phone", ""),
            category=data.get("category", ""),
            password=data.get("password") or None,
            request=self.request,
        )


class PersonEditView(scoped_view(generic.EditView, _people)):
    def save_instance(self):
        return services.person_update(
            actor=self.request.user,
            person=self.form.instance,
            roles=self.form.cleaned_data.get("roles", []),
            changed=self.form.changed_data,
            request=self.request,
        )


class PersonViewSet(ModelViewSet):
    """Replaces Wagtail's own users section (see ``WagtailUsersConfig``)."""

    model = User

    def get_form_class(self, for_update=False):
        return PersonForm

    icon = "user"
    menu_label = _("People")
    menu_order = 220
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = scoped_view(generic.IndexView, _people)
    add_view_class = PersonCreateView
    edit_view_class = PersonEditView
    delete_view_class = scoped_view(generic.DeleteView, _people)
    history_view_class = scoped_view(generic.HistoryView, _people)
    usage_view_class = scoped_view(generic.UsageView, _people)
    list_display = [
        "full_name",
        "username",
        "home_unit",
        Column("role_list", label=_("Roles")),
        "is_active",
    ]
    list_filter = ["groups", "category", "is_active"]
    search_fields = ["username", "full_name", "email", "staff_number", "phone"]
    search_backend_name = None
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


class AuditEventViewSet(ModelViewSet):
    """The audit log, read-only, for platform administrators."""

    model = AuditEvent
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 900
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["at", "actor_label", "action", "object_repr", "ip", "detail"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "detail"]
    search_backend_name = None
    list_export = ["at", "actor_label", "action", "object_repr", "ip", "detail"]
    export_filename = "audit-log"
    form_fields = ["detail"]  # never shown: the policy allows no add or change
