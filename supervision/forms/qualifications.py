"""Forms for handing in a qualification and deciding on one.  They check
the shape of the input; the service checks the document's bytes, the
dates and who may decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..selectors.qualifications import qualification_kinds
from ..services.qualifications import MAX_REASON


class UploadForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Qualification"),
        queryset=None,
        error_messages={
            "required": _("Choose the kind of qualification."),
            "invalid_choice": _("Choose the kind of qualification."),
        },
    )
    issued_on = forms.DateField(
        label=_("Issued on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Give the date it was issued."),
            "invalid": _("Give the date as year-month-day."),
        },
    )
    expires_on = forms.DateField(
        label=_("Expires on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave it empty if the document names no expiry."),
        error_messages={"invalid": _("Give the date as year-month-day.")},
    )
    file = forms.FileField(
        label=_("Document (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
        error_messages={
            "required": _("Attach the certificate or training record."),
            "empty": _("The document is empty."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = qualification_kinds()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verify", _("Verify")), ("reject", _("Not accepted"))],
        error_messages={
            "required": _("Choose to verify or not accept it."),
            "invalid_choice": _("Choose to verify or not accept it."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (needed when not accepted)"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
