"""Wagtail admin for supervision: supervisor assignments (scoped to the
coordinator's subtree: trainee and supervisor both inside it) and the
technique catalogue."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.models import Role
from lms.core.selectors import people_manageable_by
from lms.core.viewsets import (
    ScopedViewSet,
    ServiceCreateView,
    ServiceEditView,
    YesNoColumn,
)

from ..models import SupervisorAssignment, Technique
from ..services.supervisions import supervisor_assign, supervisor_assignment_end


class _NoModelValidation:
    """The service checks the rules and answers in whole sentences; the
    model's constraint messages would only name the constraints."""

    def _post_clean(self):
        pass


class AssignmentForm(_NoModelValidation, WagtailAdminModelForm):
    class Meta:
        model = SupervisorAssignment
        fields = ["trainee", "supervisor", "kind", "starts_on"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None:
            people = people_manageable_by(user=for_user).filter(is_active=True)
            self.fields["trainee"].queryset = people.order_by("full_name", "username")
            # Nobody names themselves as anyone's supervisor (the service
            # refuses it too); the list does not offer it.
            self.fields["supervisor"].queryset = (
                people.filter(groups__name=Role.SUPERVISOR)
                .exclude(pk=for_user.pk)
                .distinct()
                .order_by("full_name", "username")
            )
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())


class AssignmentEndForm(_NoModelValidation, WagtailAdminModelForm):
    class Meta:
        model = SupervisorAssignment
        fields = ["ends_on"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].required = True
        self.fields["ends_on"].error_messages["required"] = _(
            "Give the date the assignment ends."
        )
        if not self.is_bound and self.instance.ends_on is None:
            self.initial["ends_on"] = timezone.localdate()


class AssignmentCreateView(ServiceCreateView):
    create_service = supervisor_assign

    def service_arguments(self) -> dict:
        data = self.form.cleaned_data
        return {
            "trainee": data["trainee"],
            "supervisor": data["supervisor"],
            "kind": data["kind"],
            "starts_on": data["starts_on"],
            "request": self.request,
        }


class AssignmentEndView(ServiceEditView):
    update_service = supervisor_assignment_end

    def service_arguments(self) -> dict:
        return {
            "assignment": SupervisorAssignment.objects.get(pk=self.object.pk),
            "ends_on": self.form.cleaned_data["ends_on"],
            "request": self.request,
        }


class SupervisorAssignmentViewSet(ScopedViewSet):
    model = SupervisorAssignment
    url_namespace = "supervisor_assignments"
    icon = "user"
    menu_label = _("Supervisor assignments")
    menu_order = 330
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = AssignmentCreateView
    edit_view_class = AssignmentEndView
    list_display = ["trainee", "supervisor", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    search_fields = [
        "trainee__full_name",
        "trainee__username",
        "supervisor__full_name",
        "supervisor__username",
    ]
    ordering = ["-starts_on", "-id"]
    list_export = ["trainee", "supervisor", "kind", "starts_on", "ends_on"]
    export_filename = "supervisor-assignments"

    def get_form_class(self, for_update=False):
        return AssignmentEndForm if for_update else AssignmentForm


class TechniqueForm(WagtailAdminModelForm):
    class Meta:
        model = Technique
        fields = ["name", "description", "is_active"]
        error_messages = {
            "name": {"unique": _("A technique of this name is already listed.")}
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the technique a name."))
        return name


class TechniqueViewSet(ScopedViewSet):
    """The catalogue of techniques; a technique in use is retired by
    unticking "offered", never deleted."""

    model = Technique
    url_namespace = "techniques_admin"
    icon = "list-ul"
    menu_label = _("Techniques")
    menu_order = 340
    add_to_admin_menu = True
    inspect_view_enabled = False
    list_display = ["name", YesNoColumn("is_active", label=_("offered"))]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    list_export = ["name", "description", "is_active"]
    export_filename = "techniques"

    def get_form_class(self, for_update=False):
        return TechniqueForm


VIEWSETS = [
    SupervisorAssignmentViewSet("supervisor_assignments"),
    TechniqueViewSet("techniques"),
]
