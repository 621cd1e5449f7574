"""Forms for recording a supervision (督导).  They check the shape of the
input and offer only the people and entries the supervisor may choose;
the service checks the rules again and has the last word."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.models import User

from ..models import PracticeEntry, SupervisionKind, SupervisionSession
from ..selectors.supervisions import (
    coverable_entries_of,
    covered_q,
    participants_choosable_by,
)
from ..services.supervisions import MAX_MINUTES, MAX_TEXT, MAX_TOPIC, SKEW
from ..text_checks import personal_data_warnings

NOTE_PREFIX = "note_"


class ParticipantField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        unit = obj.home_unit.name if obj.home_unit_id else ""
        return f"{obj} · {unit}" if unit else str(obj)


class EntryField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PracticeEntry) -> str:
        return (
            f"{obj.person} · {obj.occurred_on:%Y-%m-%d} · "
            f"{obj.get_kind_display()} · {obj.get_status_display()}"
        )


_CHOICE_ERRORS = {
    "invalid_choice": _(
        "Choose participants among the trainees you supervise for this kind "
        "of supervision."
    ),
    "invalid_pk_value": _("That choice is not valid; please choose again."),
    "required": _("Choose at least one participant."),
}


class SupervisionSessionForm(forms.Form):
    """One supervision of a fixed ``kind``; practice adds covered entries
    and a shared summary, personal growth a private note per trainee."""

    kind = forms.ChoiceField(
        choices=SupervisionKind.choices,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Choose practice or personal-growth supervision."),
            "required": _("Choose practice or personal-growth supervision."),
        },
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=SupervisionSession.Format.choices,
        widget=forms.RadioSelect,
        initial=SupervisionSession.Format.INDIVIDUAL,
    )
    held_at = forms.DateTimeField(
        label=_("Held at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=MAX_MINUTES,
        error_messages={
            "min_value": _("Minutes must be a whole number from 1 to 600."),
            "max_value": _("Minutes must be a whole number from 1 to 600."),
            "invalid": _("Minutes must be a whole number from 1 to 600."),
        },
    )
    topic = forms.CharField(label=_("Topic"), max_length=MAX_TOPIC, required=False)
    participants = ParticipantField(
        label=_("Participants"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_CHOICE_ERRORS,
    )
    no_personal_data = forms.BooleanField(
        label=_("I have checked: this text holds no personal data of a client."),
        required=False,
    )

    def __init__(self, *args, user: User, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.kind = user, kind
        self.initial["kind"] = kind
        people = participants_choosable_by(user=user, kind=kind).select_related(
            "home_unit"
        )
        self.fields["participants"].queryset = people
        if kind == SupervisionKind.PRACTICE:
            self._add_practice_fields(people)
        else:
            self._add_note_fields(people)
        if not self.is_bound:
            self.initial.setdefault(
                "held_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M")
            )

    def _add_practice_fields(self, people) -> None:
        # Entries not yet covered: what a supervisor brings to a session,
        # and a list that does not grow for ever.  The service itself
        # also accepts covering an entry again.
        entries = (
            coverable_entries_of(people=people)
            .exclude(covered_q())
            .select_related("person")
        )
        self.fields["entries"] = EntryField(
            label=_("Practice entries covered"),
            queryset=entries.order_by("person__username", "-occurred_on"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": _(
                    "Choose entries of the participants that are submitted, "
                    "resubmitted or approved and not yet covered by a supervision."
                ),
                "invalid_pk_value": _("That choice is not valid; please choose again."),
            },
        )
        self.fields["summary"] = forms.CharField(
            label=_("Summary (shared with the participants)"),
            max_length=MAX_TEXT,
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
        )

    def _add_note_fields(self, people) -> None:
        for person in people:
            self.fields[f"{NOTE_PREFIX}{person.pk}"] = forms.CharField(
                label=_("Private note for %(name)s") % {"name": person},
                max_length=MAX_TEXT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def note_fields(self):
        return [self[name] for name in self.fields if name.startswith(NOTE_PREFIX)]

    def growth_notes(self) -> dict[int, str]:
        data = self.cleaned_data
        chosen = {person.pk for person in data.get("participants") or []}
        notes = {}
        for name, value in data.items():
            if name.startswith(NOTE_PREFIX) and value and value.strip():
                pk = int(name.removeprefix(NOTE_PREFIX))
                if pk in chosen:
                    notes[pk] = value
        return notes

    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        if held_at > timezone.now() + SKEW:
            raise forms.ValidationError(
                _("A supervision cannot be recorded before it is held.")
            )
        return held_at

    def clean(self):
        data = super().clean()
        if data.get("kind") and data["kind"] != self.kind:
            raise forms.ValidationError(
                _("Choose practice or personal-growth supervision.")
            )
        people = {person.pk for person in data.get("participants") or []}
        for entry in data.get("entries") or []:
            if entry.person_id not in people:
                self.add_error(
                    "entries",
                    _("A supervision covers only its participants' practice entries."),
                )
                break
        self._check_personal_data(data)
        return data

    def _check_personal_data(self, data) -> None:
        texts = [data.get("topic") or "", data.get("summary") or ""]
        texts += list(self.growth_notes().values()) if "participants" in data else []
        warnings = []
        for text in texts:
            warnings += [w for w in personal_data_warnings(text) if w not in warnings]
        if warnings and not data.get("no_personal_data"):
            self.personal_data_found = True
            for warning in warnings:
                self.add_error(None, warning)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": self.kind,
            "format": data["format"],
            "held_at": data["held_at"],
            "minutes": data["minutes"],
            "topic": data.get("topic", ""),
            "participants": list(data["participants"]),
            "entries": list(data.get("entries") or []),
            "summary": data.get("summary", ""),
            "growth_notes": self.growth_notes(),
        }
