"""Admin forms of standing crisis-response teams and their drills.  Every
choice list holds only what the coordinator manages (units, people of
their subtree, certification tracks in reach, teams, sessions); the
services check the rest and answer in whole sentences."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import OfflineSession
from courses.selectors.sessions import sessions_manageable_by
from lms.core.models import User
from lms.core.selectors import people_manageable_by, units_manageable_by

from ..models import CrisisTeam, TeamDrill, Track
from ..selectors.crisis import crisis_tracks_offered_to, teams_manageable_by


def _choice(message) -> dict:
    return {"required": message, "invalid_choice": message, "invalid_pk_value": message}


class _Person(forms.ModelChoiceField):
    def label_from_instance(self, person):
        unit = person.home_unit.name if person.home_unit_id else "—"
        return f"{person.get_full_name() or person.username} · {unit}"


class _People(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        unit = person.home_unit.name if person.home_unit_id else "—"
        return f"{person.get_full_name() or person.username} · {unit}"


class _NoModelValidation:
    """The services check the rules and answer in whole sentences."""

    def _post_clean(self):
        pass


class CrisisTeamForm(_NoModelValidation, WagtailAdminModelForm):
    name = forms.CharField(
        label=_("name"),
        max_length=120,
        strip=False,  # the service strips and checks
        error_messages={
            "required": _("Give the team a name."),
            "max_length": _("The name is too long; keep it to 120 characters."),
        },
    )
    drill_interval_months = forms.IntegerField(
        label=_("drill at least every (months)"),
        min_value=1,
        max_value=60,
        initial=12,
        error_messages={
            "required": _("Give the drill interval in whole months."),
            "invalid": _("Give the drill interval in whole months."),
            "min_value": _("The drill interval must be from 1 to 60 months."),
            "max_value": _("The drill interval must be from 1 to 60 months."),
        },
    )
    lead = _Person(
        label=_("team lead"),
        queryset=User.objects.none(),
        required=False,
        error_messages=_choice(_("Choose the lead among the people of your units.")),
        help_text=_("The lead is always a member, and signs off crisis work."),
    )
    members = _People(
        label=_("members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        error_messages=_choice(_("Choose members among the people of your units.")),
        help_text=_("People of the team's unit or a unit below it."),
    )
    required_tracks = forms.ModelMultipleChoiceField(
        label=_("certificates members need"),
        queryset=Track.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice(_("Choose certification tracks from the list.")),
    )

    class Meta:
        model = CrisisTeam
        fields = ["name", "kind", "unit", "drill_interval_months", "is_active"]
        error_messages = {
            "kind": _choice(_("Choose what kind of team this is.")),
            "unit": _choice(_("Choose one of your units.")),
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None:
            people = people_manageable_by(user=for_user).filter(is_active=True)
            people = people.order_by("home_unit__path", "full_name", "pk")
            self.fields["unit"].queryset = units_manageable_by(user=for_user).order_by(
                "path"
            )
            self.fields["lead"].queryset = people
            self.fields["members"].queryset = people
            self.fields["required_tracks"].queryset = crisis_tracks_offered_to(
                user=for_user
            ).order_by("name")
        if self.instance.pk:
            self.initial.setdefault("lead", self.instance.lead_id)
            self.initial.setdefault(
                "members",
                list(self.instance.memberships.values_list("person_id", flat=True)),
            )
            self.initial.setdefault(
                "required_tracks",
                list(self.instance.required_tracks.values_list("pk", flat=True)),
            )

    def service_arguments(self) -> dict:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        return {
            "name": data.get("name", ""),
            "kind": data.get("kind", ""),
            "unit": data.get("unit"),
            "lead": data.get("lead"),
            "members": list(data.get("members") or []),
            "required_tracks": list(data.get("required_tracks") or []),
            "drill_interval_months": data.get("drill_interval_months"),
            "is_active": data.get("is_active", False),
        }


class _Session(forms.ModelChoiceField):
    def label_from_instance(self, session):
        when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
        return f"{when} {session.title} · {session.unit.name}"


class TeamDrillForm(_NoModelValidation, WagtailAdminModelForm):
    team = forms.ModelChoiceField(
        label=_("team"),
        queryset=CrisisTeam.objects.none(),
        error_messages=_choice(_("Choose one of your teams.")),
    )
    session = _Session(
        label=_("session"),
        queryset=OfflineSession.objects.none(),
        error_messages=_choice(_("Choose a session of one of your own units.")),
        help_text=_("An offline session held as a drill; its attendance counts."),
    )

    class Meta:
        model = TeamDrill
        fields = ["team", "session"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None:
            self.fields["team"].queryset = teams_manageable_by(user=for_user).order_by(
                "name"
            )
            self.fields["session"].queryset = (
                sessions_manageable_by(user=for_user)
                .select_related("unit")
                .order_by("-starts_at")
            )
        if self.instance.pk:
            self.initial.setdefault("team", self.instance.team_id)
            self.initial.setdefault("session", self.instance.session_id)
