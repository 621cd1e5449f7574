"""Forms of the practice log: an entry (new, edit, amendment) and the
supervisor's approve and return forms.

Fields that only some kinds use carry the kinds in ``KIND_FIELDS``; the
page hides the others with a little script, and without it every field
shows and the form ignores those that do not apply to the chosen kind.
Free text is checked for personal data: the first save shows a warning,
and the entry saves once "this holds no personal data" is ticked.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.core.models import User

from ..models import PracticeEntry
from ..selectors import entries as selectors
from ..selectors.crisis import deployments_accepted_by
from ..services.entries_validation import no_case_message
from ..text_checks import personal_data_warnings

Kind = PracticeEntry.Kind
#: Which kinds each optional link applies to.
KIND_FIELDS = {
    "client_code": (Kind.OBSERVATION, Kind.TECHNIQUE),
    "technique": (Kind.TECHNIQUE,),
    "shift": (
        Kind.OBSERVATION,
        Kind.GROUP_ASSISTANT,
        Kind.HOTLINE,
        Kind.MEDIATION,
        Kind.TECHNIQUE,
        Kind.OTHER,
    ),
    "session": (
        Kind.GROUP_ASSISTANT,
        Kind.GROUP_PLAN,
        Kind.LECTURE,
        Kind.OTHER,
    ),
    "deployment": (Kind.CRISIS,),
}
#: Video lessons are logged by the video review, not by hand.
HAND_KINDS = [
    (value, label) for value, label in Kind.choices if value != "video_lesson"
]


def _choice(message):
    return {"required": message, "invalid_choice": message}


class _ShiftChoice(forms.ModelChoiceField):
    def label_from_instance(self, shift):
        when = timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")
        return f"{when} {shift}"


class _SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, session):
        when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d")
        return f"{when} {session.title}"


class _DeploymentChoice(forms.ModelChoiceField):
    def label_from_instance(self, deployment):
        return f"{deployment.starts_on:%Y-%m-%d} {deployment.title}"


class EntryForm(forms.Form):
    """An entry's fields; ``cleaned_data`` holds what the services take
    (the client code becomes ``case``)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of practice"),
        choices=HAND_KINDS,
        error_messages=_choice(gettext_lazy("Choose what kind of practice this was.")),
    )
    occurred_on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Enter the date the practice took place."),
            "invalid": gettext_lazy("Enter the date as year-month-day."),
        },
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": gettext_lazy("Enter how many minutes it took."),
            "invalid": gettext_lazy("Enter the minutes as a whole number."),
            "min_value": gettext_lazy(
                "Minutes must be a whole number from 1 to 1440 (one day)."
            ),
            "max_value": gettext_lazy(
                "Minutes must be a whole number from 1 to 1440 (one day)."
            ),
        },
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120, required=False)
    client_code = forms.CharField(
        label=gettext_lazy("Client code"),
        max_length=12,
        required=False,
        help_text=gettext_lazy("The case's code, such as C-7KQ2M9XA; never a name."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    technique = forms.ModelChoiceField(
        label=gettext_lazy("Technique"),
        queryset=selectors.techniques_offered(),
        required=False,
        error_messages=_choice(gettext_lazy("Choose a technique from the list.")),
    )
    shift = _ShiftChoice(
        label=gettext_lazy("Duty shift"),
        queryset=PracticeEntry.objects.none(),
        required=False,
        error_messages=_choice(
            gettext_lazy("Choose one of the shifts you checked in to.")
        ),
    )
    session = _SessionChoice(
        label=gettext_lazy("Session"),
        queryset=PracticeEntry.objects.none(),
        required=False,
        error_messages=_choice(
            gettext_lazy("Choose one of the sessions you attended.")
        ),
    )
    deployment = _DeploymentChoice(
        label=gettext_lazy("Crisis deployment"),
        queryset=PracticeEntry.objects.none(),
        required=False,
        help_text=gettext_lazy("A deployment whose call-out you accepted."),
        error_messages=_choice(
            gettext_lazy(
                "Choose one of the crisis deployments whose call-out you accepted."
            )
        ),
    )
    reflection = forms.CharField(
        label=gettext_lazy("Reflection"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    no_personal_data = forms.BooleanField(
        label=gettext_lazy(
            "I have checked: this text holds no name, ID number or phone number."
        ),
        required=False,
    )

    def __init__(self, *args, person: User, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.needs_confirmation = False
        self.fields["shift"].queryset = selectors.shifts_attended_by(person=person)
        self.fields["session"].queryset = selectors.sessions_attended_by(person=person)
        self.fields["deployment"].queryset = deployments_accepted_by(person=person)
        if kinds:
            self.fields["kind"].choices = kinds
        self.initial.setdefault("occurred_on", timezone.localdate())

    def kind_field_names(self) -> dict[str, str]:
        """For the template: each optional field and the kinds it shows for."""
        return {name: " ".join(kinds) for name, kinds in KIND_FIELDS.items()}

    def clean_client_code(self):
        return (self.cleaned_data.get("client_code") or "").strip().upper()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for name, kinds in KIND_FIELDS.items():
            if kind and kind not in kinds:
                data[name] = "" if name == "client_code" else None
        data["case"] = self._case(data.get("client_code"))
        missing = kind == Kind.CRISIS and not data.get("deployment")
        if missing and "deployment" not in self.errors:
            self.add_error(
                "deployment", _("Choose the crisis deployment you worked on.")
            )
        self._check_personal_data(data)
        return data

    def _case(self, code: str | None):
        if not code:
            if self.cleaned_data.get("kind") in KIND_FIELDS["client_code"]:
                # Said now, with any other errors, rather than after them.
                self.add_error("client_code", _("Enter the client code of the case."))
            return None
        case = selectors.case_for_entry(user=self.person, client_code=code)
        if case is None:
            self.add_error("client_code", no_case_message())
        return case

    def _check_personal_data(self, data) -> None:
        text = "\n".join(data.get(name) or "" for name in ("title", "reflection"))
        warnings = personal_data_warnings(text)
        if not warnings or data.get("no_personal_data"):
            return
        self.needs_confirmation = True
        warnings.append(
            _(
                "If the text really holds no personal data, tick the box below and save again."
            )
        )
        self.add_error("reflection", warnings)

    def service_fields(self) -> dict:
        """The cleaned values, named as the services take them."""
        names = ("kind", "occurred_on", "minutes", "title", "reflection")
        links = ("shift", "case", "session", "technique", "deployment")
        return {name: self.cleaned_data.get(name) for name in names + links}

    def show_service_error(self, error: ValidationError) -> None:
        """Put a service's refusal on the form, by field where it has one."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            name = "client_code" if field == "case" else field
            self.add_error(name if name in self.fields else None, errors)


class AmendForm(EntryForm):
    """An entry form prefilled from the approved original, with a reason."""

    amendment_reason = forms.CharField(
        label=gettext_lazy("Why is the entry being corrected?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": gettext_lazy("Give the reason for the amendment."),
        },
    )
    field_order = ["amendment_reason"]

    def clean_amendment_reason(self):
        reason = self.cleaned_data["amendment_reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for the amendment."))
        return reason


def entry_initial(entry: PracticeEntry) -> dict:
    """An entry's values as form initial data."""
    return {
        "kind": entry.kind,
        "occurred_on": entry.occurred_on,
        "minutes": entry.minutes,
        "title": entry.title,
        "reflection": entry.reflection,
        "client_code": entry.case.client_code if entry.case_id else "",
        "technique": entry.technique_id,
        "shift": entry.shift_id,
        "session": entry.session_id,
        "deployment": entry.deployment_id,
    }


def kinds_for(entry: PracticeEntry | None):
    """Kind choices: those logged by hand, plus the entry's own kind."""
    if entry is None or entry.kind != Kind.VIDEO_LESSON:
        return None
    return HAND_KINDS + [(entry.kind, entry.get_kind_display())]


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What should the trainee change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy(
                "Write a comment saying what the trainee should change."
            ),
        },
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
