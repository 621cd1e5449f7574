"""Forms of the offline-session pages (``courses.views.sessions``): the
short-code check-in form for phones that cannot scan, and the form that
marks or corrects one person's attendance on the attendance list.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Attendance, OfflineSession
from ..selectors import sessions as selectors
from ..services import attendance as attendance_services


class CodeForm(forms.Form):
    session = forms.ModelChoiceField(
        label=gettext_lazy("Session"),
        queryset=OfflineSession.objects.none(),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Choose one of today's sessions."),
            "invalid_choice": gettext_lazy("Choose one of today's sessions."),
        },
    )
    code = forms.CharField(
        label=gettext_lazy("Code on the screen"),
        max_length=32,
        error_messages={
            "required": gettext_lazy("Enter the six digits shown on the screen."),
            "max_length": gettext_lazy("Enter the six digits shown on the screen."),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9０-９ ]*",
                "class": "code-input",
            }
        ),
    )
    action = forms.ChoiceField(
        choices=[("in", "in"), ("out", "out")],
        error_messages={
            "required": gettext_lazy("Choose check in or check out."),
            "invalid_choice": gettext_lazy("Choose check in or check out."),
        },
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class MarkForm(forms.Form):
    """Mark or correct one person's attendance: a row's person (``person``)
    or someone added by username or staff number (``who``)."""

    person = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    who = forms.CharField(
        label=gettext_lazy("Username or staff number"),
        required=False,
        max_length=150,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=Attendance.Status.choices,
        error_messages={"invalid_choice": gettext_lazy("Choose present or absent.")},
    )
    checked_in_at = forms.DateTimeField(
        label=gettext_lazy("Checked in at"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    checked_out_at = forms.DateTimeField(
        label=gettext_lazy("Checked out at"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=attendance_services.MAX_REASON_LENGTH,
        error_messages={
            "required": gettext_lazy("Give a reason for marking attendance by hand."),
        },
    )

    def __init__(self, *args, session: OfflineSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self):
        data = super().clean()
        if self.errors:
            return data  # the field errors already say what is wrong
        pk, who = data.get("person"), (data.get("who") or "").strip()
        if pk is None and not who:
            raise ValidationError(_("Say whom you are marking."))
        if pk is not None:
            person = (
                selectors.people_on_list(session=self.session).filter(pk=pk).first()
            )
            if person is None:
                raise ValidationError(_("This person is not on this session's list."))
        else:
            person = selectors.person_on_list_by_name(session=self.session, name=who)
            if person is None:
                raise ValidationError(
                    _(
                        "No one with this username or staff number is on this session's list."
                    )
                )
        data["person"] = person
        return data
