"""The technique catalogue and who has mastered what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Technique(models.Model):
    """A counselling technique of the catalogue (e.g. 空椅子技术, 焦点解决).

    After learning one, a trainee applies it with at least three clients,
    each approved and supervised, before it counts as mastered.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("technique")
        verbose_name_plural = _("techniques")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TechniqueMastery(models.Model):
    """A trainee has applied a technique with enough distinct clients,
    each approved and supervised; their supervisor is asked to confirm."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="masteries"
    )
    technique = models.ForeignKey(
        Technique, on_delete=models.PROTECT, related_name="masteries"
    )
    reached_at = models.DateTimeField(_("reached at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("technique mastered")
        verbose_name_plural = _("techniques mastered")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "technique"], name="mastery_once_per_person_technique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.technique}"
