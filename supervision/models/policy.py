"""Per-unit settings of the practice rules."""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rules:
    """The practice rules in force for a unit (a policy row or the defaults)."""

    monthly_shift_quota: int = 4
    cancel_cutoff_hours: int = 24
    supervision_due_days: int = 7
    separate_growth_supervisor: bool = True
    mentees_per_mentor: int = 2
    pairing_contact_days: int = 30
    mastery_clients: int = 3
    coverage_need: int = 1


class UnitPolicy(models.Model):
    """The practice rules a centre sets for itself and the units below it.

    A unit without its own row follows its nearest ancestor's, and the
    deployment's defaults (``Rules``) when no ancestor has one.
    """

    unit = models.OneToOneField(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="practice_policy",
    )
    monthly_shift_quota = models.PositiveSmallIntegerField(
        _("shifts required per month"), default=Rules.monthly_shift_quota
    )
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancel at the latest (hours before the shift)"),
        default=Rules.cancel_cutoff_hours,
    )
    supervision_due_days = models.PositiveSmallIntegerField(
        _("supervision due within (days)"), default=Rules.supervision_due_days
    )
    separate_growth_supervisor = models.BooleanField(
        _("personal-growth supervisor differs from practice supervisor"),
        default=Rules.separate_growth_supervisor,
    )
    mentees_per_mentor = models.PositiveSmallIntegerField(
        _("grid workers per mentor"), default=Rules.mentees_per_mentor
    )
    pairing_contact_days = models.PositiveSmallIntegerField(
        _("flag a pair without contact for (days)"),
        default=Rules.pairing_contact_days,
    )
    coverage_need = models.PositiveSmallIntegerField(
        _("qualified people each grassroots unit needs"),
        default=Rules.coverage_need,
        help_text=_(
            "Staffing coverage, e.g. 1–3 part-time counsellors per police unit."
        ),
    )
    coverage_tier = models.ForeignKey(
        "supervision.Tier",
        verbose_name=_("counted from tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("People in this tier or a more senior one count; empty: any tier."),
    )
    coverage_track = models.ForeignKey(
        "supervision.Track",
        verbose_name=_("or holding a valid certificate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("practice rules")
        verbose_name_plural = _("practice rules")
        constraints = [
            models.CheckConstraint(
                name="policy_quota_sane", condition=Q(monthly_shift_quota__lte=31)
            ),
            models.CheckConstraint(
                name="policy_due_days_positive",
                condition=Q(supervision_due_days__gte=1),
            ),
            models.CheckConstraint(
                name="policy_mentees_positive",
                condition=Q(mentees_per_mentor__gte=1, mentees_per_mentor__lte=10),
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)

    def rules(self) -> Rules:
        return Rules(
            monthly_shift_quota=self.monthly_shift_quota,
            cancel_cutoff_hours=self.cancel_cutoff_hours,
            supervision_due_days=self.supervision_due_days,
            separate_growth_supervisor=self.separate_growth_supervisor,
            mentees_per_mentor=self.mentees_per_mentor,
            pairing_contact_days=self.pairing_contact_days,
            coverage_need=self.coverage_need,
        )
