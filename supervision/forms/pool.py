"""Forms of the talent pool: the coordinator's decision on the dossier
page, and the admin forms of schemes and tiers (whose saves go through
``services.pool``, which check the rules and answer in sentences)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.selectors import units_manageable_by

from ..models import PoolMember, PoolScheme, Tier, TrackVersion
from ..selectors.pool import (
    schemes_manageable_by,
    tier_rule_versions_for,
    tiers_open_to,
)
from ..services.certification import clean_text
from ..services.pool import REASON_MAX


class DecisionForm(forms.Form):
    """One decision on a person: place them in a tier (join, promote, move
    down or across), keep them after a review, or take them out."""

    PLACE, KEEP, REMOVE = "place", "keep", "remove"

    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (PLACE, _("Place in the tier")),
            (KEEP, _("Keep after review")),
            (REMOVE, _("Take out of the pool")),
        ],
        error_messages={
            "required": _("Choose a decision."),
            "invalid_choice": _("Choose one of the decisions offered."),
        },
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=Tier.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the tiers offered.")},
    )
    member = forms.ModelChoiceField(
        queryset=PoolMember.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("This place in the pool no longer exists.")
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person reads it; it stays in the tier history."),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["tier"].queryset = tiers_open_to(person=person)
        self.fields["tier"].label_from_instance = _tier_label
        self.fields["member"].queryset = PoolMember.objects.filter(
            person=person
        ).select_related("tier", "scheme")

    def clean_reason(self):
        return clean_text(
            self.cleaned_data.get("reason"),
            max_length=REASON_MAX,
            required_message=_(
                "Give the reason for the decision; the person reads it."
            ),
        )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.PLACE and not data.get("tier") and "tier" not in self.errors:
            self.add_error("tier", _("Choose the tier to place the person in."))
        if (
            action in (self.KEEP, self.REMOVE)
            and not data.get("member")
            and "member" not in self.errors
        ):
            raise ValidationError(_("Choose the place in the pool this is about."))
        return data


def _tier_label(tier: Tier) -> str:
    return f"{tier.scheme} · {tier} ({tier.rank})"


# --- the admin ----------------------------------------------------------------


class _ServiceValidates:
    """The services check the rules and answer in whole sentences."""

    def _post_clean(self):
        pass


class SchemeForm(_ServiceValidates, WagtailAdminModelForm):
    class Meta:
        model = PoolScheme
        fields = ["code", "name", "unit", "description"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None and "unit" in self.fields:
            self.fields["unit"].queryset = units_manageable_by(user=for_user).order_by(
                "path"
            )


class SchemeEditForm(SchemeForm):
    """Code and unit stay as made: members and the history name them."""

    class Meta(SchemeForm.Meta):
        fields = ["name", "description"]


class TierForm(_ServiceValidates, WagtailAdminModelForm):
    class Meta:
        model = Tier
        fields = ["scheme", "code", "name", "group", "rank", "rules", "description"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        rules = TrackVersion.objects.none()
        schemes = PoolScheme.objects.none()
        if for_user is not None:
            rules = tier_rule_versions_for(user=for_user)
            schemes = schemes_manageable_by(user=for_user).order_by("name")
        if self.instance.pk and self.instance.rules_id:
            # The rules in force stay offered, even from another unit's track.
            rules = TrackVersion.objects.filter(
                pk__in=[*rules.values_list("pk", flat=True), self.instance.rules_id]
            ).select_related("track")
        self.fields["rules"].queryset = rules
        self.fields["rules"].label_from_instance = lambda v: f"{v.track} v{v.number}"
        self.fields["rules"].help_text = _(
            "A published version of a track whose purpose is talent-pool tier "
            "rules; empty: entry is the coordinator's decision alone."
        )
        if "scheme" in self.fields:
            self.fields["scheme"].queryset = schemes
        self.fields["rank"].error_messages["invalid"] = _(
            "The rank is a whole number from 1 to 20."
        )


class TierEditForm(TierForm):
    """Scheme and code stay as made."""

    class Meta(TierForm.Meta):
        fields = ["name", "group", "rank", "rules", "description"]
