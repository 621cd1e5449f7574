"""Pairing (结对子, 一帮二, 兵教兵): a mentor and the grid workers they help."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Pairing(models.Model):
    """A volunteer or professional mentors a grid worker (up to the unit's
    ``mentees_per_mentor``, 2 by default) and is their first-line
    supervisor: they see the mentee's practice log and, holding the
    supervisor role, may sign it off.  A grid worker has one open pairing.
    """

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        related_name="mentee_pairings",
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.PROTECT,
        related_name="mentor_pairings",
    )
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(ends_on__isnull=True),
                name="pairing_one_open_per_mentee",
            ),
            models.CheckConstraint(
                name="pairing_not_self", condition=~Q(mentor=F("mentee"))
            ),
            models.CheckConstraint(
                name="pairing_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"


class PairingContact(models.Model):
    """A logged contact between a mentor and their grid worker."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        ONLINE = "online", _("Online")

    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="contacts"
    )
    occurred_on = models.DateField(_("date"))
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pairing contact")
        verbose_name_plural = _("pairing contacts")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.pairing} {self.occurred_on}"
