"""The hours ledger (学时台账)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .append_only import AppendOnlyModel
from .org import OrgUnit


class HoursCategory(models.TextChoices):
    ONLINE_THEORY = "online_theory", _("Online theory")
    OFFLINE_THEORY = "offline_theory", _("Offline theory")
    PRACTICE = "practice", _("Practice")
    SUPERVISION = "supervision", _("Supervision")


class HoursEntry(AppendOnlyModel):
    """One row of the hours ledger: credited (or reversed) training hours.

    Every credited hour in the system is a row here, written once per source
    (a completed lesson, an attendance, an approved practice entry, a
    supervision).  Rows are never edited: a correction is a reversal row with
    negative hours that points at the credit it cancels, and a later re-credit
    of the same source is a new credit of the next ``generation``.

    The database holds the invariants: one credit per source, person and
    generation; at most one reversal per credit; credits positive, reversals
    negative; and rows are append-only (``AppendOnlyModel``, and triggers
    refusing UPDATE and DELETE).  Reports and certification read only this
    table.
    """

    class Kind(models.TextChoices):
        CREDIT = "credit", _("Credit")
        REVERSAL = "reversal", _("Reversal")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="hours_entries",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit at the time"),
        on_delete=models.PROTECT,
        related_name="hours_entries",
    )
    category = models.CharField(
        _("category"), max_length=20, choices=HoursCategory.choices
    )
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    generation = models.PositiveIntegerField(_("generation"), default=0)
    earned_on = models.DateField(_("earned on"))
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("source"), max_length=200)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hours ledger row")
        verbose_name_plural = _("hours ledger")
        ordering = ["-earned_on", "-id"]
        indexes = [
            models.Index(fields=["person", "category"]),
            models.Index(fields=["unit", "earned_on"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "person", "generation"],
                condition=models.Q(kind="credit"),
                name="ledger_one_credit_per_source_generation",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="credit", hours__gt=0, reverses__isnull=True))
                | (models.Q(kind="reversal", hours__lt=0, reverses__isnull=False)),
                name="ledger_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.category} {self.hours}"
