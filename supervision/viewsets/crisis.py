"""Wagtail admin of standing crisis-response teams (危机干预小组,
战时心理小分队), for coordinators of the team's unit or above it: a team
with its kind, unit, lead, members, the certificates members need and the
drill interval; and the drills, offline sessions of the coordinator's units
linked to a team.  Every save goes through ``services.crisis_teams``, whose
refusals land on the form.  Deployments for an incident are
``supervision.views.deployments``, not this admin."""

from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from lms.core.viewsets import (
    ScopedIndexView,
    ScopedViewSet,
    ServiceCreateView,
    ServiceDeleteView,
    ServiceEditView,
    YesNoColumn,
)

from ..forms.crisis_teams import CrisisTeamForm, TeamDrillForm
from ..models import CrisisTeam, TeamDrill
from ..services import crisis_teams as services


def _person(person) -> str:
    if person is None:
        return "—"
    return person.get_full_name() or person.get_username()


class TeamCreateView(ServiceCreateView):
    create_service = services.crisis_team_create
    history_action = None  # the service writes the audit row

    def service_arguments(self) -> dict:
        return {**self.form.service_arguments(), "request": self.request}


class TeamEditView(ServiceEditView):
    update_service = services.crisis_team_update
    object_argument = "team"
    history_action = None

    def service_arguments(self) -> dict:
        return {**self.form.service_arguments(), "request": self.request}


class TeamIndexView(ScopedIndexView):
    row_links = [
        (_("Readiness"), "supervision:crisis_team_detail", "success"),
        (_("Drills"), "team_drills_admin:for_team", "date"),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().annotate(member_count=Count("memberships"))


class CrisisTeamViewSet(ScopedViewSet):
    model = CrisisTeam
    url_namespace = "crisis_teams_admin"
    menu_label = _("Crisis-response teams")
    icon = "group"
    menu_order = 360
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = TeamIndexView
    add_view_class = TeamCreateView
    edit_view_class = TeamEditView
    list_display = [
        "name",
        "kind",
        "unit",
        Column("lead", label=_("team lead"), accessor=lambda team: _person(team.lead)),
        Column("member_count", label=_("Members")),
        "drill_interval_months",
        YesNoColumn("is_active", label=_("active")),
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_form_class(self, for_update=False):
        return CrisisTeamForm


# --- drills ---------------------------------------------------------------------


def _drill_arguments(form) -> dict:
    data = form.cleaned_data
    return {"team": data.get("team"), "session": data.get("session")}


class DrillCreateView(ServiceCreateView):
    create_service = services.team_drill_link
    form_arguments = _drill_arguments

    def get_initial(self):
        initial = super().get_initial()
        team = self.request.GET.get("team", "")
        if team.isdigit() and len(team) < 12:
            initial["team"] = int(team)
        return initial


class DrillEditView(ServiceEditView):
    update_service = services.team_drill_update
    object_argument = "drill"
    form_arguments = _drill_arguments


class DrillDeleteView(ServiceDeleteView):
    delete_service = services.team_drill_unlink
    object_argument = "drill"


def _session_day(drill) -> str:
    return timezone.localtime(drill.session.starts_at).strftime("%Y-%m-%d %H:%M")


class TeamDrillViewSet(ScopedViewSet):
    model = TeamDrill
    url_namespace = "team_drills_admin"
    menu_label = _("Team drills")
    icon = "date"
    menu_order = 361
    add_to_admin_menu = True
    inspect_view_enabled = False
    add_view_class = DrillCreateView
    edit_view_class = DrillEditView
    delete_view_class = DrillDeleteView
    list_display = [
        Column("team", label=_("team"), accessor=lambda drill: drill.team.name),
        Column("session", label=_("session"), accessor=lambda d: d.session.title),
        Column("held", label=_("Held on"), accessor=_session_day),
        Column("unit", label=_("Unit"), accessor=lambda d: d.session.unit.name),
    ]
    list_filter = ["team"]
    ordering = ["team__name", "-session__starts_at"]

    def get_form_class(self, for_update=False):
        return TeamDrillForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("team/<int:pk>/", self.for_team_view, name="for_team"),
        ]

    def for_team_view(self, request, pk):
        return redirect(reverse("team_drills_admin:index") + f"?team={int(pk)}")


VIEWSETS = [
    CrisisTeamViewSet("crisis_teams"),
    TeamDrillViewSet("team_drills"),
]
