"""Wagtail admin for the practice log ("Practice log"): coordinators list,
filter, export and inspect the submitted entries of their subtree.

The edit view exists so the admin behaves like every other door: it saves
through ``practice_entry_update``, which refuses an approved entry with
the "locked, add an amendment" sentence and anyone but the trainee.
Entries are never added or deleted here.
"""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.viewsets import ScopedViewSet, ServiceEditView

from ..models import PracticeEntry
from ..services import entries as services


class PracticeEntryAdminForm(WagtailAdminModelForm):
    class Meta:
        model = PracticeEntry
        fields = ["kind", "occurred_on", "minutes", "title", "reflection"]


class PracticeEntryEditView(ServiceEditView):
    """Saves through the service; its refusals show on the form and the
    transaction around ``save_instance`` leaves the row as it was."""

    update_service = services.practice_entry_update
    object_argument = "entry"
    history_action = None  # the entry's own transitions are its history

    def service_arguments(self) -> dict:
        data = self.form.cleaned_data
        return {name: data[name] for name in PracticeEntryAdminForm.Meta.fields}


class PracticeEntryViewSet(ScopedViewSet):
    model = PracticeEntry
    url_namespace = "entry_admin"
    icon = "list-ul"
    menu_label = gettext_lazy("Practice log")
    menu_order = 185
    add_to_admin_menu = True
    inspect_view_enabled = True
    # Nobody deletes entries (``PracticeEntryPolicy``); the delete view finds
    # rows as every other does, so an outsider's id is not found rather than
    # refused.
    edit_view_class = PracticeEntryEditView
    list_display = [
        "occurred_on",
        "person",
        "kind",
        "status",
        "minutes",
        "unit",
        "approved_by",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["title", "person__full_name", "person__username"]
    ordering = ["-occurred_on"]
    list_export = [
        "occurred_on",
        "person",
        "unit",
        "kind",
        "status",
        "minutes",
        "title",
        "reflection",
        "submitted_at",
        "approved_by",
        "approved_at",
    ]
    export_filename = "practice-log"
    inspect_view_fields = [
        "person",
        "unit",
        "kind",
        "status",
        "occurred_on",
        "minutes",
        "title",
        "reflection",
        "amends",
        "amendment_reason",
        "submitted_at",
        "approved_by",
        "approved_at",
    ]

    def get_form_class(self, for_update=False):
        return PracticeEntryAdminForm


VIEWSETS = [PracticeEntryViewSet("practice-log")]
