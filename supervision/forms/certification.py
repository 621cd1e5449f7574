"""Forms of certification: the coordinator's decision and version move on
the progress page, and the admin forms of tracks, versions and
requirements (parameters per kind, checked by
``services.certification.requirement_problem``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.models import HoursCategory
from lms.core.selectors import units_manageable_by

from ..models import PracticeEntry, Requirement, Track, TrackVersion
from ..selectors.enrolments import (
    certificate_tracks_for,
    track_versions_manageable_by,
)
from ..services.certification import (
    NOTE_MAX,
    REASON_MAX,
    clean_text,
    requirement_problem,
)


class _Reason(forms.CharField):
    """Free text checked as the services check it: stripped, no NUL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        return clean_text(value, max_length=self.max_length or REASON_MAX)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve or decline.")},
    )
    reason = _Reason(
        label=_("Reason (needed to decline)"),
        max_length=REASON_MAX,
        help_text=_("The trainee reads it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason"):
            self.add_error("reason", _("Say why the application is declined."))
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class MoveVersionForm(forms.Form):
    reason = _Reason(label=_("Why move to the latest version"), max_length=1900)

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if not reason:
            raise ValidationError(_("Say why the trainee moves to the new version."))
        return reason


# --- the admin ----------------------------------------------------------------


class _NoModelValidation:
    """The services check the rules and answer in whole sentences."""

    def _post_clean(self):
        pass


class TrackForm(_NoModelValidation, WagtailAdminModelForm):
    class Meta:
        model = Track
        fields = [
            "code",
            "name",
            "purpose",
            "unit",
            "description",
            "validity_months",
            "is_active",
        ]
        help_texts = {
            "purpose": _(
                "Talent-pool tier rules: the entry rules of a tier; nobody "
                "enrols in such a track and it issues no certificate."
            )
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "purpose" in self.fields:
            # Left out: a certification track, as before tiers existed.
            self.fields["purpose"].required = False
        if for_user is not None and "unit" in self.fields:
            self.fields["unit"].queryset = units_manageable_by(user=for_user).order_by(
                "path"
            )


class TrackEditForm(TrackForm):
    """Code and unit stay as made: enrolments and certificates name them."""

    class Meta(TrackForm.Meta):
        fields = ["name", "description", "validity_months", "is_active"]


class TrackVersionForm(WagtailAdminModelForm):
    class Meta:
        model = TrackVersion
        fields = ["note"]


class PublishForm(forms.Form):
    note = _Reason(
        label=_("What changed"),
        max_length=NOTE_MAX,
        widget=forms.TextInput,
        help_text=_("Shown with the version, e.g. “Ethics training added”."),
    )


class ChoiceList(forms.MultipleChoiceField):
    """A JSON list of choice values edited as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, choices, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(choices=choices, required=False, **kwargs)

    def prepare_value(self, value):
        return list(value or [])

    def clean(self, value):
        return list(super().clean(value))


#: What each kind reads, named in the kind's help text.
KIND_HELP = _(
    "Lessons: pick lessons or modules. Ledger hours: pick categories (none: all), "
    "counted in hours. Practice: pick kinds (none: all), a count of entries or "
    "hours. Supervision: kind and form, sessions or hours. Techniques: pick "
    "techniques (none: any). Duty shifts: shifts worked. Ratings: a rubric and a "
    "level, and how many supervisors. Qualification: the qualification. "
    "Certificate: the certification track whose valid certificate is needed."
)


class RequirementForm(WagtailAdminModelForm):
    hours_categories = ChoiceList(
        label=_("hour categories"),
        choices=HoursCategory.choices,
        help_text=_("Ledger hours only; none ticked: every category counts."),
    )
    practice_kinds = ChoiceList(
        label=_("practice kinds"),
        choices=PracticeEntry.Kind.choices,
        help_text=_("Practice only; none ticked: every kind counts."),
    )

    class Meta:
        model = Requirement
        fields = [
            "version",
            "position",
            "kind",
            "title",
            "need",
            "measure",
            "period_months",
            "for_renewal",
            "pages",
            "hours_categories",
            "practice_kinds",
            "supervision_kind",
            "supervision_format",
            "techniques",
            "rubric",
            "min_level",
            "qualification_kind",
            "certificate_track",
        ]
        help_texts = {
            "kind": KIND_HELP,
            "need": _(
                "How many entries, sessions, lessons, shifts or supervisors "
                "(ratings), or how many hours."
            ),
            "supervision_kind": _("Supervision only; empty: either kind."),
            "supervision_format": _("Supervision only; empty: either form."),
            "techniques": _("Techniques only; none: any technique counts."),
            "rubric": _("Ratings only."),
            "min_level": _(
                "Ratings only: each supervisor's latest rating at or above it (1–5)."
            ),
            "qualification_kind": _("Qualification only: verified and not expired."),
            "certificate_track": _(
                "Certificate only: a certificate of this track, issued, not "
                "expired and not revoked."
            ),
        }
        widgets = {"techniques": forms.CheckboxSelectMultiple}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        drafts = TrackVersion.objects.none()
        if for_user is not None:
            drafts = track_versions_manageable_by(user=for_user).filter(
                published_at__isnull=True
            )
        if self.instance.pk:
            # The version of a requirement never changes.
            self.fields["version"].disabled = True
            self.fields["version"].queryset = TrackVersion.objects.filter(
                pk=self.instance.version_id
            )
        else:
            self.fields["version"].queryset = drafts
        self.fields["version"].label_from_instance = lambda v: f"{v.track} v{v.number}"
        if "certificate_track" in self.fields:
            self.fields["certificate_track"].queryset = (
                certificate_tracks_for(user=for_user)
                if for_user is not None
                else Track.objects.none()
            )

    def clean_title(self):
        return clean_text(
            self.cleaned_data.get("title"),
            max_length=200,
            required_message=_("Give the requirement a title the trainee reads."),
        )

    def clean(self):
        data = super().clean()
        version = data.get("version") or (
            self.instance.version if self.instance.pk else None
        )
        if version is not None and version.is_published:
            raise ValidationError(
                _(
                    "A published version cannot be changed: make a new draft of "
                    "the track and publish it."
                )
            )
        kind = data.get("kind")
        if kind:
            problem = requirement_problem(kind, data)
            if problem:
                raise ValidationError(problem)
        return data
