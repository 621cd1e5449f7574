"""Forms for duty shifts: the admin's shift and exemption forms, and the
front end's swap, code, excuse, call-off and compliance forms.  The
services check everything again; forms give each field its sentence."""

import datetime
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.selectors import units_manageable_by

from ..models import DutyShift, QuotaExemption, ShiftSignup
from ..selectors import shifts as selectors
from ..services.shifts_admin import MAX_REPEAT_WEEKS

MAX_REASON = 300


class ShiftAdminForm(WagtailAdminModelForm):
    """A shift slot; on adding, "repeat weekly for N more weeks"."""

    repeat_weeks = forms.IntegerField(
        label=gettext_lazy("Repeat weekly for how many more weeks"),
        min_value=0,
        max_value=MAX_REPEAT_WEEKS,
        initial=0,
        required=False,
        help_text=gettext_lazy("0 publishes this one shift only."),
    )

    class Meta:
        model = DutyShift
        fields = [
            "title",
            "unit",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "supervisor",
            "note",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["repeat_weeks"]
        if for_user is not None:
            self.fields["unit"].queryset = units_manageable_by(user=for_user).order_by(
                "path"
            )
            # Never themselves (``can_name_as_supervisor``), unless someone
            # else already put them on duty here.
            supervisors = selectors.supervisors_manageable_by(user=for_user)
            if self.instance.supervisor_id != for_user.pk:
                supervisors = supervisors.exclude(pk=for_user.pk)
            self.fields["supervisor"].queryset = supervisors
            if for_user.home_unit_id and not self.initial.get("unit"):
                self.initial["unit"] = for_user.home_unit_id
        self.fields["place"].required = True

    def clean(self):
        # The model's check constraints would otherwise answer with their
        # names; a field error here also keeps them from running.
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The shift must end after it starts."))
        capacity = data.get("capacity")
        if capacity is not None and not 1 <= capacity <= 200:
            self.add_error("capacity", _("The number of places must be from 1 to 200."))
        return data


class ExemptionAdminForm(WagtailAdminModelForm):
    class Meta:
        model = QuotaExemption
        fields = ["person", "starts_on", "ends_on", "reason"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None:
            self.fields["person"].queryset = selectors.trainees_manageable_by(
                user=for_user
            )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error(
                "ends_on", _("The exemption must end on or after its first day.")
            )
        if "reason" in data and not data["reason"].strip():
            self.add_error("reason", _("Give the reason for the exemption."))
        return data


class SwapOfferForm(forms.Form):
    to_person = forms.ModelChoiceField(
        label=gettext_lazy("Offer my place to"),
        queryset=None,
        error_messages={
            "required": gettext_lazy("Choose who should take your place."),
            "invalid_choice": gettext_lazy(
                "Choose someone from the list: a trainee of this centre who is not already on the shift."
            ),
        },
    )

    def __init__(self, *args, shift: DutyShift, offerer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_person"].queryset = selectors.swap_candidates(
            shift=shift, offerer=offerer
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("The six digits on the screen"),
        max_length=32,
        error_messages={
            "required": gettext_lazy("Enter the six digits shown on the screen."),
            "max_length": gettext_lazy("Enter the six digits shown on the screen."),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )
    action = forms.ChoiceField(choices=[("in", "in"), ("out", "out")])


class ExcuseForm(forms.Form):
    signup = forms.ModelChoiceField(
        queryset=ShiftSignup.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Choose whose absence to excuse."),
            "invalid_choice": gettext_lazy("Choose whose absence to excuse."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=MAX_REASON,
        error_messages={
            "required": gettext_lazy("Give a reason for excusing the absence."),
            "max_length": gettext_lazy("Keep the reason under 300 characters."),
        },
    )

    def __init__(self, *args, shift: DutyShift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signup"].queryset = shift.signups.all()


class CallOffForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to everyone signed up)"),
        max_length=MAX_REASON,
        required=False,
        error_messages={
            "max_length": gettext_lazy("Keep the reason under 300 characters."),
        },
    )


_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(value: str | None, *, default: datetime.date) -> datetime.date | None:
    """The first of the month ``YYYY-MM`` names; ``default`` when empty,
    ``None`` when malformed or out of range."""
    if not value:
        return default.replace(day=1)
    match = _MONTH.fullmatch(value.strip()) if len(value) <= 10 else None
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)
