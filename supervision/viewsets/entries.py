"""Wagtail admin for the practice log ("Practice log"): coordinators list,
filter, export and inspect the submitted entries of their subtree.

The edit view exists so the admin behaves like every other door: it saves
through ``practice_entry_update``, which refuses an approved entry with
the "locked, add an amendment" sentence and anyone but the trainee.
Entries are never added or deleted here.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.core.models import Role, User
from lms.core.permissions import can_manage_units, unit_in_scope
from lms.core.viewsets import scoped_view

from ..models import PracticeEntry
from ..services import entries as services

#: What coordinators may do here; entries come only from trainees.
ACTIONS = frozenset({"view", "change"})


def entries_manageable_by(*, user: User) -> QuerySet[PracticeEntry]:
    """Submitted entries (never drafts) of units in the coordinator's
    subtree; all of them for superusers; none for anyone else."""
    entries = PracticeEntry.objects.exclude(
        status=PracticeEntry.Status.DRAFT
    ).select_related("person", "unit", "approved_by", "technique")
    if not can_manage_units(user):
        return entries.none()
    if user.is_superuser:
        return entries
    if user.home_unit_id is None:
        return entries.none()
    return entries.filter(user.home_unit.subtree_q("unit__"))


def _entries(user):
    return entries_manageable_by(user=user).order_by("-occurred_on", "-id")


class PracticeEntryPolicy(BasePermissionPolicy):
    """Coordinators view (and reach the edit view of) entries of their
    subtree; nobody adds or deletes entries in the admin."""

    def user_has_permission(self, user, action) -> bool:
        return (
            action in ACTIONS
            and user.is_authenticated
            and user.is_active
            and can_manage_units(user)
        )

    def users_with_any_permission(self, actions) -> QuerySet[User]:
        if not set(actions) & ACTIONS:
            return User.objects.none()
        return User.objects.filter(
            is_active=True, groups__name=Role.COORDINATOR
        ).distinct() | User.objects.filter(is_active=True, is_superuser=True)

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and unit_in_scope(
            user, instance.unit
        )

    def instances_user_has_permission_for(self, user, action) -> QuerySet:
        if not self.user_has_permission(user, action):
            return PracticeEntry.objects.none()
        return entries_manageable_by(user=user)


class PracticeEntryAdminForm(WagtailAdminModelForm):
    class Meta:
        model = PracticeEntry
        fields = ["kind", "occurred_on", "minutes", "title", "reflection"]


class PracticeEntryEditView(scoped_view(generic.EditView, _entries)):
    """Saves through the service; its refusals show on the form and the
    transaction around ``save_instance`` leaves the row as it was."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.practice_entry_update(
            actor=self.request.user,
            entry=self.object,
            **{name: data[name] for name in PracticeEntryAdminForm.Meta.fields},
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            form.add_error(None, messages)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class PracticeEntryViewSet(ModelViewSet):
    model = PracticeEntry
    url_namespace = "entry_admin"
    icon = "list-ul"
    menu_label = gettext_lazy("Practice log")
    menu_order = 185
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = scoped_view(generic.IndexView, _entries)
    edit_view_class = PracticeEntryEditView
    # Nobody deletes entries; scoped all the same, so an outsider's id is
    # not found rather than refused.
    delete_view_class = scoped_view(generic.DeleteView, _entries)
    inspect_view_class = scoped_view(generic.InspectView, _entries)
    history_view_class = scoped_view(generic.HistoryView, _entries)
    usage_view_class = scoped_view(generic.UsageView, _entries)
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
    search_backend_name = None
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


# Registered here, beside the viewset that needs it (this module is imported
# by ``supervision.wagtail_hooks`` before the viewsets register).
register_permission_policy(PracticeEntry, PracticeEntryPolicy(PracticeEntry))
VIEWSETS = [PracticeEntryViewSet("practice-log")]
