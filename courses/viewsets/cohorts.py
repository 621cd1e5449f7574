"""Wagtail admin for cohorts (培训班): details, coordinators, members and
assigned syllabus parts, scoped to the coordinator's subtree."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList, PageChooserPanel
from wagtail.admin.ui.tables import Column

from lms.core.models import Role
from lms.core.selectors import people_manageable_by, units_manageable_by
from lms.core.viewsets import ScopedViewSet, ServiceCreateView, ServiceEditView

from ..models import Cohort
from ..services import cohorts as cohort_services


class MemberPicker(forms.CheckboxSelectMultiple):
    """A searchable list of tick boxes, each person with their unit and
    roles; ``member-picker.js`` filters it as the coordinator types and
    keeps the ticked ones on top.  Without script it is a plain list."""

    template_name = "courses/admin/member_picker.html"

    class Media:
        js = ["courses/member-picker.js"]
        css = {"all": ["courses/member-picker.css"]}


class MemberChoiceField(forms.ModelMultipleChoiceField):
    """People in the coordinator's scope, each shown as name (username) ·
    unit · roles, so two people of one name can be told apart."""

    def label_from_instance(self, obj):
        roles = "、".join(
            str(Role(name).label) for name in sorted(obj.roles) if name in Role.values
        )
        parts = [f"{obj.full_name or obj.username}（{obj.username}）"]
        parts.append(obj.home_unit.name if obj.home_unit else "—")
        if roles:
            parts.append(roles)
        return " · ".join(parts)


class CohortForm(WagtailAdminModelForm):
    member_people = MemberChoiceField(
        label=_("members"),
        queryset=None,
        required=False,
        widget=MemberPicker,
        help_text=_(
            "Type a name, username, unit or role to find people, and tick them; "
            "large classes are easier to import from a roster."
        ),
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        people = people_manageable_by(user=for_user) if for_user else None
        if people is not None:
            self.fields["unit"].queryset = units_manageable_by(user=for_user)
            self.fields["coordinators"].queryset = people.filter(
                groups__name=Role.COORDINATOR
            ).distinct()
            self.fields["member_people"].queryset = people.select_related(
                "home_unit"
            ).order_by("home_unit__path", "full_name", "pk")
        if self.instance.pk:
            self.initial["member_people"] = list(
                self.instance.members.values_list("pk", flat=True)
            )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The cohort must end on or after its start."))
        return cleaned


class _SaveThroughService:
    """One service saves a new cohort and a changed one; the form's
    many-to-many fields (coordinators, assigned parts) follow."""

    create_service = update_service = cohort_services.cohort_save
    history_action = None

    def service_arguments(self) -> dict:
        return {
            "cohort": self.form.save(commit=False),
            "members": self.form.cleaned_data.get("member_people"),
        }

    def save_instance(self):
        cohort = super().save_instance()
        self.form.save_m2m()
        return cohort


class CohortCreateView(_SaveThroughService, ServiceCreateView):
    pass


class CohortEditView(_SaveThroughService, ServiceEditView):
    pass


class GridColumn(Column):
    cell_template_name = "courses/admin/grid_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["cohort"] = instance
        return context


class CohortViewSet(ScopedViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    menu_order = 160
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = CohortCreateView
    edit_view_class = CohortEditView
    list_display = [
        "name",
        "unit",
        "mode",
        "starts_on",
        "ends_on",
        GridColumn("grid", label=_("Progress")),
    ]
    list_filter = ["mode", "unit"]
    search_fields = ["name", "description"]
    ordering = ["-starts_on"]
    list_export = ["name", "unit", "mode", "starts_on", "ends_on"]
    export_filename = "cohorts"
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("unit"),
            FieldPanel("mode"),
            FieldPanel("starts_on"),
            FieldPanel("ends_on"),
            FieldPanel("description"),
            FieldPanel("coordinators", widget=forms.CheckboxSelectMultiple),
            FieldPanel("member_people"),
            InlinePanel(
                "assignments",
                label=_("Assigned syllabus parts"),
                panels=[
                    PageChooserPanel(
                        "page", ["courses.ModulePage", "courses.LessonPage"]
                    ),
                    FieldPanel("release_on"),
                    FieldPanel("due_on"),
                ],
            ),
        ],
        base_form_class=CohortForm,
    )
