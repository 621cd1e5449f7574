"""Wagtail admin viewsets: units and people, scoped to the coordinator's
subtree, with search, filters and spreadsheet export from Wagtail; and what
every scoped viewset of the project is built from (``scoped_view``, whose
listings filter through ``ScopedFilterSet`` and export through
``SafeSpreadsheetExport``)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet

from . import selectors
from .forms import OrgUnitForm, PersonForm
from .models import AuditEvent, OrgUnit, User
from .services.org import unit_create, unit_update
from .services.people import person_create, person_update
from .spreadsheets import SafeSpreadsheetExport


def scope_of(model):
    """The function giving a user's rows of ``model`` (``scoped(user)``),
    taken from the model's scoped admin listing; None for a model whose
    listing is not scoped (shared rows such as roles and techniques)."""
    for viewset in viewsets.viewsets:
        if getattr(viewset, "model", None) is model:
            return getattr(viewset.index_view_class, "scoped", None)
    return None


def _narrowed(choices, user):
    def queryset(request):
        offered = choices(request) if callable(choices) else choices
        scoped = scope_of(offered.model)
        if scoped is None:
            return offered
        return offered.filter(pk__in=scoped(user).values("pk"))

    return queryset


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


class ExportIndexView(SafeSpreadsheetExport, generic.IndexView):
    """Wagtail's listing, its CSV and XLSX exports through ``safe_cell``."""

    base_filterset_class = ScopedFilterSet


class _ScopedIndex(ExportIndexView):
    def get_base_queryset(self):
        return self.scoped(self.request.user)


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
        return unit_create(
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
        return unit_update(
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


class ServiceErrorsOnForm:
    """A service's refusal shown on the Wagtail form like any invalid input:
    a ``ValidationError`` naming fields goes on those fields, anything else
    (and a ``PermissionDenied``) above the form.  The transaction around
    ``save_instance`` has rolled back, so nothing was saved.  Every admin
    view whose save goes through a service uses this one mixin."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = ValidationError(str(error) or _("You cannot do this."))
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class PersonCreateView(ServiceErrorsOnForm, scoped_view(generic.CreateView, _people)):
    def save_instance(self):
        data = self.form.cleaned_data
        return person_create(
            actor=self.request.user,
            username=data["username"],
            full_name=data["full_name"],
            email=data.get("email", ""),
            home_unit=data.get("home_unit"),
            roles=data.get("roles", []),
            staff_number=data.get("staff_number", ""),
            phone=data.get("phone", ""),
            category=data.get("category", ""),
            request=self.request,
        )


class PersonEditView(ServiceErrorsOnForm, scoped_view(generic.EditView, _people)):
    def save_instance(self):
        return person_update(
            actor=self.request.user,
            person=self.form.instance,
            roles=self.form.cleaned_data.get("roles", []),
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
    index_view_class = ExportIndexView
    list_export = ["at", "actor_label", "action", "object_repr", "ip", "detail"]
    export_filename = "audit-log"
    form_fields = ["detail"]  # never shown: the policy allows no add or change
