"""The directory's search form (``supervision.views.directory``), read
from the query string.  Every choice list holds only what applies in the
user's subtree; a wrong value is answered with a sentence."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.core.models import PersonCategory, User
from lms.core.selectors import units_visible_to

from ..selectors.directory import (
    DirectoryQuery,
    techniques_offered,
    tiers_offered_to,
    tracks_offered_to,
)

#: The longest availability range one search asks about, in days.
MAX_RANGE_DAYS = 366
#: Dates outside these years cannot be meant (and would overflow).
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_NAME = 80

DATE_ERRORS = {"invalid": _("Give the date as year-month-day, like 2026-05-01.")}


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, tier):
        return f"{tier.scheme.name} · {tier}"


class DirectoryForm(forms.Form):
    """Who to find: every field may stay empty."""

    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=MAX_NAME,
        error_messages={
            "max_length": _("Keep the name under %(limit_value)d characters.")
        },
    )
    tier = TierChoiceField(
        label=_("Tier"),
        queryset=None,
        required=False,
        empty_label=_("Any tier or none"),
        error_messages={"invalid_choice": _("Choose one of the tiers listed.")},
    )
    tier_or_higher = forms.BooleanField(
        label=_("or a more senior tier of its scheme"), required=False
    )
    track = forms.ModelChoiceField(
        label=_("Holds a valid certificate of"),
        queryset=None,
        required=False,
        empty_label=_("Any or none"),
        error_messages={"invalid_choice": _("Choose one of the tracks listed.")},
    )
    technique = forms.ModelChoiceField(
        label=_("Has mastered"),
        queryset=None,
        required=False,
        empty_label=_("Any or none"),
        error_messages={"invalid_choice": _("Choose one of the techniques listed.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *PersonCategory.choices],
        error_messages={"invalid_choice": _("Choose one of the categories listed.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All my units"),
        error_messages={"invalid_choice": _("Choose one of your units.")},
    )
    start = forms.DateField(
        label=_("Free from"),
        required=False,
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("Free until"),
        required=False,
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    free_only = forms.BooleanField(label=_("Only people free then"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = tiers_offered_to(user=user)
        self.fields["track"].queryset = tracks_offered_to(user=user)
        self.fields["technique"].queryset = techniques_offered()
        self.fields["unit"].queryset = units_visible_to(user=user).order_by("path")

    def _clean_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give a date between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return day

    def clean_start(self):
        return self._clean_day("start")

    def clean_end(self):
        return self._clean_day("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.has_error("start") or self.has_error("end"):
            return data
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Give both the first and the last day, or neither.")
            )
        if start is not None:
            if end < start:
                self.add_error("end", _("The last day is before the first day."))
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error(
                    "end",
                    _("Ask about at most %(days)s days at a time.")
                    % {"days": MAX_RANGE_DAYS},
                )
        elif data.get("free_only"):
            self.add_error(
                "free_only", _("Give the dates you need people to be free on.")
            )
        return data

    def query(self) -> DirectoryQuery:
        """The search the valid form asks for."""
        data = self.cleaned_data
        return DirectoryQuery(
            name=data.get("name") or "",
            tier=data.get("tier"),
            tier_or_higher=bool(data.get("tier_or_higher")),
            track=data.get("track"),
            technique=data.get("technique"),
            category=data.get("category") or "",
            unit=data.get("unit"),
            start=data.get("start"),
            end=data.get("end"),
            free_only=bool(data.get("free_only")),
        )
