"""Forms of the case pages (``supervision.views.cases``).  They check
types and lengths; the services check the rules and give the sentences.
Field names match the services' error keys, so a service's
``ValidationError`` lands on the right field (``add_service_error``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Case
from ..text_checks import personal_data_warnings


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label):
    return forms.DateField(label=label, widget=DateInput, initial=timezone.localdate)


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's error on the form: on its field when the form has
    one, otherwise at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class CaseOpenForm(forms.Form):
    presenting_issue = forms.CharField(
        label=_("Presenting issue"),
        max_length=200,
        help_text=_("A few words, without names or numbers."),
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=Case.Risk.choices, initial=Case.Risk.LOW
    )
    opened_on = _date(_("Opened on"))


class NoteForm(forms.Form):
    """A session note.  Text that looks like it holds an ID or mobile
    number is refused until ``confirm`` is ticked."""

    session_on = _date(_("Session date"))
    body = forms.CharField(
        label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )
    confirm = forms.BooleanField(
        label=_("I have checked: this note holds no name, ID or phone number."),
        required=False,
    )

    @property
    def needs_confirmation(self) -> bool:
        body = self.data.get("body", "") if self.is_bound else ""
        return bool(personal_data_warnings(body))


class RiskForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=Case.Risk.choices)


class CloseForm(forms.Form):
    closed_on = _date(_("Closed on"))


class ConsentForm(forms.Form):
    signed_on = _date(_("Signed on"))
    covers_observation = forms.BooleanField(
        label=_("Observation by a trainee"), required=False
    )
    covers_recording = forms.BooleanField(label=_("Recording"), required=False)
    covers_discussion = forms.BooleanField(
        label=_("Case discussion in supervision"), required=False
    )
    form = forms.FileField(
        label=_("Signed form (PDF, JPEG or PNG)"),
        allow_empty_file=True,  # the service says "empty" in its own words
        max_length=255,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )


class WithdrawForm(forms.Form):
    withdrawn_on = _date(_("Withdrawn on"))
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReferralForm(forms.Form):
    referred_on = _date(_("Referred on"))
    referred_to = forms.CharField(
        label=_("Referred to"),
        max_length=200,
        help_text=_("The hospital or clinic, and the department."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
