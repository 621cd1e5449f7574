"""Forms of the certificate pages (``supervision.views.certificates``):
the register's filters and the revocation's reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.core.models import OrgUnit, User
from lms.core.selectors import units_visible_to

from ..models import Track
from ..services.certificates import MAX_REASON

#: The longest "expiring within" the register accepts (ten years).
MAX_EXPIRING_DAYS = 3650


class RegisterFilterForm(forms.Form):
    """Filters of the register, read from the query string; an invalid
    value is reported and the filter left out."""

    track = forms.ModelChoiceField(
        label=_("Track"),
        queryset=Track.objects.none(),
        required=False,
        empty_label=_("All tracks"),
        error_messages={"invalid_choice": _("Choose one of the tracks listed.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("valid", _("Valid")),
            ("expired", _("Expired")),
            ("revoked", _("Revoked")),
        ],
        error_messages={"invalid_choice": _("Choose one of the statuses listed.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("All my units"),
        error_messages={"invalid_choice": _("Choose one of your units.")},
    )
    expiring_within = forms.IntegerField(
        label=_("Expiring within (days)"),
        required=False,
        min_value=1,
        max_value=MAX_EXPIRING_DAYS,
        error_messages={
            "invalid": _("Give the number of days as a whole number, like 60."),
            "min_value": _("Give at least one day."),
            "max_value": _("Give at most %(limit_value)s days."),
        },
    )

    def __init__(self, *args, user: User, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks
        self.fields["unit"].queryset = units_visible_to(user=user).order_by("path")


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the reason for the revocation."),
            "max_length": _("Keep the reason under %(limit_value)d characters."),
        },
    )
