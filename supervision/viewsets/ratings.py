"""Wagtail admin for the competency rubrics: one catalogue for every
coordinator (``policies.CataloguePolicy``), like techniques.  A rubric in
use is retired by unticking "in use", never deleted; its items are edited
in their own listing (see the note on ``RubricItemViewSet``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.viewsets import ScopedViewSet, YesNoColumn

from ..models import Rubric, RubricItem


def _one_line(value: str, sentence) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise forms.ValidationError(sentence)
    return value


class RubricForm(WagtailAdminModelForm):
    class Meta:
        model = Rubric
        fields = ["name", "description", "is_active"]
        error_messages = {
            "name": {"unique": _("A rubric of this name is already listed.")}
        }

    def clean_name(self):
        return _one_line(self.cleaned_data["name"], _("Give the rubric a name."))


class RubricItemForm(WagtailAdminModelForm):
    class Meta:
        model = RubricItem
        fields = ["rubric", "position", "text", "guidance"]

    def clean_text(self):
        return _one_line(self.cleaned_data["text"], _("Say what the item rates."))


class RubricViewSet(ScopedViewSet):
    model = Rubric
    url_namespace = "rubrics_admin"
    icon = "list-ol"
    menu_label = _("Competency rubrics")
    menu_order = 350
    add_to_admin_menu = True
    inspect_view_enabled = False
    list_display = ["name", YesNoColumn("is_active", label=_("in use"))]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    list_export = ["name", "description", "is_active"]
    export_filename = "rubrics"

    def get_form_class(self, for_update=False):
        return RubricForm


class RubricItemViewSet(ScopedViewSet):
    """The items of every rubric, filtered by rubric.  An InlinePanel on
    the rubric would be the better form, but it needs ``RubricItem.rubric``
    to be a ``ParentalKey`` (a model change left to the integrator).  An
    item a rating scored cannot be deleted (the scores protect it)."""

    model = RubricItem
    url_namespace = "rubric_items_admin"
    icon = "list-ul"
    menu_label = _("Rubric items")
    menu_order = 351
    add_to_admin_menu = True
    inspect_view_enabled = False
    list_display = ["text", "rubric", "position"]
    list_filter = ["rubric"]
    search_fields = ["text", "guidance"]
    ordering = ["rubric__name", "position", "id"]
    list_export = ["rubric", "position", "text", "guidance"]
    export_filename = "rubric-items"

    def get_form_class(self, for_update=False):
        return RubricItemForm


VIEWSETS = [RubricViewSet("rubrics"), RubricItemViewSet("rubric_items")]
