"""Forms of crisis deployments: the need, the people ticked from the
proposal, closing and cancelling, standing someone down, and the answer
from the call-out link.  Choice lists hold only the coordinator's units
and the tracks and tiers that apply there; the services check again."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.selectors import units_manageable_by

from ..models import IncidentType
from ..selectors.deployments import tiers_offered, tracks_offered
from ..services.certification import clean_text
from ..services.deployments import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    REASON_MAX,
    SIZE_MAX,
    SIZE_MIN,
    SPAN_MAX,
    TITLE_MAX,
)

#: More ticks than this are not a proposal's.
TICKS_MAX = SIZE_MAX


class _Text(forms.CharField):
    """Free text checked as the services check it: stripped, no NUL, and
    a sentence when too long (the field keeps no ``maxlength`` so a
    pasted text is refused with a reason, not cut)."""

    def __init__(self, *, max_chars: int, **kwargs):
        kwargs.setdefault("required", False)
        self.max_chars = max_chars
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        value = clean_text(value, max_length=self.max_chars)
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        return value


class _Date(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": _("Enter a date like 2026-03-31."),
        "required": _("Enter a date."),
    }

    def to_python(self, value):
        if isinstance(value, str) and len(value) > 30:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DeploymentForm(forms.Form):
    """The need: what happened, where, when, how many people and what
    they must hold."""

    incident_type = forms.ChoiceField(
        label=_("Incident"),
        choices=IncidentType.choices,
        error_messages={
            "required": _("Choose what kind of incident this is."),
            "invalid_choice": _("Choose what kind of incident this is."),
        },
    )
    title = _Text(
        label=_("Title"),
        max_chars=TITLE_MAX,
        required=True,
        error_messages={"required": _("Give the deployment a title.")},
    )
    description = _Text(
        label=_("What happened"),
        max_chars=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only what the people called out need to know; no names."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit concerned"),
        queryset=None,
        error_messages={
            "required": _("Choose the unit the incident concerns."),
            "invalid_choice": _("Choose one of your units."),
        },
    )
    starts_on = _Date(label=_("From"))
    ends_on = _Date(label=_("Until"))
    size = forms.IntegerField(
        label=_("People needed"),
        min_value=SIZE_MIN,
        max_value=SIZE_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Say how many people are needed."),
            "invalid": _("Give the number of people as a whole number."),
            "min_value": _("A deployment needs at least one person."),
            "max_value": _("A deployment needs at most 200 people."),
        },
    )
    tracks = forms.ModelMultipleChoiceField(
        label=_("Certificates needed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone proposed holds each of these, valid to the last day."),
        error_messages={
            "invalid_choice": _("Choose certificates from the list."),
            "invalid_pk_value": _("Choose certificates from the list."),
            "list": _("Choose certificates from the list."),
        },
    )
    tier = forms.ModelChoiceField(
        label=_("Tier needed"),
        queryset=None,
        required=False,
        empty_label=_("Any (no tier needed)"),
        help_text=_("People in this tier or a more senior one of its scheme."),
        error_messages={"invalid_choice": _("Choose a tier from the list.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_manageable_by(user=user).order_by("path")
        self.fields["tracks"].queryset = tracks_offered(user=user)
        self.fields["tier"].queryset = tiers_offered(user=user)
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + datetime.timedelta(days=7)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end:
            if end < start:
                self.add_error("ends_on", _("The last day comes before the first day."))
            elif (end - start).days >= SPAN_MAX:
                self.add_error(
                    "ends_on",
                    _("A deployment lasts at most %(days)s days.") % {"days": SPAN_MAX},
                )
            elif end < timezone.localdate():
                self.add_error(
                    "ends_on",
                    _("The last day has passed; nobody can be called out for it."),
                )
        return data


class CallForm(forms.Form):
    """The people ticked on the proposal (person ids)."""

    people = forms.CharField(required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.ticked = data.getlist("people") if data is not None else []

    def clean(self):
        ticked = self.ticked
        if not ticked:
            raise ValidationError(_("Tick at least one person to call out."))
        if len(ticked) > TICKS_MAX or not all(
            value.isascii() and value.isdigit() and len(value) <= 10 for value in ticked
        ):
            raise ValidationError(_("Tick people from the proposal."))
        self.cleaned_data["people"] = sorted({int(value) for value in ticked})
        return self.cleaned_data


class CancelForm(forms.Form):
    reason = _Text(
        label=_("Why is it cancelled"),
        max_chars=REASON_MAX,
        required=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the deployment is cancelled.")},
    )


class CloseForm(forms.Form):
    comment = _Text(label=_("Note (optional)"), max_chars=REASON_MAX)


class WithdrawForm(forms.Form):
    reason = _Text(label=_("Reason (optional, they read it)"), max_chars=NOTE_MAX)


class AnswerForm(forms.Form):
    """The answer from the call-out link."""

    answer = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        error_messages={
            "required": _("Choose to accept or to decline."),
            "invalid_choice": _("Choose to accept or to decline."),
        },
    )
    note = _Text(
        label=_("Note for the coordinator (optional)"),
        max_chars=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
