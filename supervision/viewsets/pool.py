"""Wagtail admin of the talent pool, for coordinators over the scheme's
unit: schemes, their tiers (name, group, rank and entry rules: a
published version of a tier-rules track they manage), and the tier history
of their people, read-only (decisions are made on the dossier page,
/practice/pool/people/<id>/)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from lms.core.viewsets import (
    ScopedIndexView,
    ScopedInspectView,
    ScopedViewSet,
    ServiceCreateView,
    ServiceEditView,
)

from ..forms.pool import SchemeEditForm, SchemeForm, TierEditForm, TierForm
from ..models import PoolScheme, Tier, TierChange
from ..services import pool as services


class TierColumn(Column):
    """A tier, or a dash where there is none (joined, left the pool)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else str(value)


def _scheme_fields(form) -> dict:
    data = form.cleaned_data
    return {"name": data.get("name", ""), "description": data.get("description", "")}


def _new_scheme_fields(form) -> dict:
    data = form.cleaned_data
    return {"code": data["code"], "unit": data["unit"], **_scheme_fields(form)}


class SchemeCreateView(ServiceCreateView):
    create_service = services.scheme_create
    form_arguments = _new_scheme_fields


class SchemeEditView(ServiceEditView):
    update_service = services.scheme_update
    object_argument = "scheme"
    form_arguments = _scheme_fields


class PoolSchemeViewSet(ScopedViewSet):
    model = PoolScheme
    url_namespace = "pool_schemes_admin"
    menu_label = _("Talent-pool schemes")
    icon = "group"
    menu_order = 360
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = SchemeCreateView
    edit_view_class = SchemeEditView
    list_display = ["name", "code", "unit"]
    search_fields = ["name", "code", "description"]
    ordering = ["name"]

    def get_form_class(self, for_update=False):
        return SchemeEditForm if for_update else SchemeForm


def _tier_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data.get("name", ""),
        "group": data.get("group", ""),
        "rank": data.get("rank"),
        "rules": data.get("rules"),
        "description": data.get("description", ""),
    }


def _new_tier_fields(form) -> dict:
    data = form.cleaned_data
    return {"scheme": data["scheme"], "code": data["code"], **_tier_fields(form)}


class TierCreateView(ServiceCreateView):
    create_service = services.tier_create
    form_arguments = _new_tier_fields


class TierEditView(ServiceEditView):
    update_service = services.tier_update
    object_argument = "tier"
    form_arguments = _tier_fields


class TierViewSet(ScopedViewSet):
    model = Tier
    url_namespace = "pool_tiers_admin"
    menu_label = _("Talent-pool tiers")
    icon = "list-ol"
    menu_order = 361
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = TierCreateView
    edit_view_class = TierEditView
    list_display = ["__str__", "scheme", "rank", "code", "rules"]
    list_filter = ["scheme"]
    search_fields = ["name", "code", "group"]
    ordering = ["scheme__name", "-rank", "name"]

    def get_form_class(self, for_update=False):
        return TierEditForm if for_update else TierForm


class TierChangeIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("person", "scheme", "from_tier", "to_tier", "actor")
        )


class TierChangeViewSet(ScopedViewSet):
    """Read-only: the policy grants "view" only, and the row's address
    (``edit``) shows it without a form."""

    model = TierChange
    url_namespace = "pool_history_admin"
    menu_label = _("Tier history")
    icon = "history"
    menu_order = 362
    add_to_admin_menu = True
    index_view_class = TierChangeIndexView
    inspect_view_class = ScopedInspectView
    inspect_view_enabled = True
    # Wagtail builds an add view for every viewset; the policy refuses it.
    form_fields = ["reason"]
    inspect_view_fields = [
        "person",
        "scheme",
        "from_tier",
        "to_tier",
        "actor",
        "reason",
        "at",
    ]
    list_display = [
        "person",
        "scheme",
        TierColumn("from_tier", label=_("from")),
        TierColumn("to_tier", label=_("to")),
        "actor",
        "reason",
        "at",
    ]
    list_filter = ["scheme"]
    search_fields = ["person__full_name", "reason"]
    ordering = ["-at", "-id"]
    list_export = ["person", "scheme", "from_tier", "to_tier", "actor", "reason", "at"]
    export_filename = "tier-history"

    @property
    def edit_view(self):
        # Nothing here is edited: the row's address shows it read-only.
        return self.inspect_view


VIEWSETS = [
    PoolSchemeViewSet("pool_schemes"),
    TierViewSet("pool_tiers"),
    TierChangeViewSet("pool_history"),
]
