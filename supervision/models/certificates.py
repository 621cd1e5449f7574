"""Certificates issued on approved enrolments, with serials that cannot
be guessed (the public check cannot list them)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.models import StatusStep

from .cases import private_storage
from .certification import Enrolment, Track, TrackVersion

#: Characters of a certificate serial: no 0/O or 1/I/L to misread on paper.
SERIAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SERIAL_LENGTH = 16


def new_serial() -> str:
    """An unguessable serial (about 79 bits), grouped for reading aloud."""
    raw = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SERIAL_LENGTH, 4))


class Certificate(models.Model):
    """A certificate issued on an approved enrolment.

    The serial is random, so the public check cannot be used to list
    certificates.  Expired is read from ``expires_on``; revoked is a
    status with a reason.  The PDF is made by a Celery task into the
    private storage (``pdf`` empty until then).
    """

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")

    TRANSITIONS = {Status.ISSUED: {Status.REVOKED}, Status.REVOKED: set()}
    TRANSITION_REFUSED = _("A certificate that is %(from)s cannot become %(to)s.")

    serial = models.CharField(
        _("serial"), max_length=24, unique=True, default=new_serial, editable=False
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        TrackVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The holder's unit when it was issued."),
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    pdf = models.FileField(
        _("PDF"),
        upload_to="certificates/",
        storage=private_storage,
        max_length=200,
        blank=True,
    )
    reminded_60_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_14_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["status", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                name="certificate_expires_after_issue",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    def standing(self, today=None) -> str:
        """``valid``, ``expired`` or ``revoked`` (what the public check says)."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        today = today or timezone.localdate()
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "valid"

    def history_row(self, *, before: str, after: str, actor, comment: str):
        return CertificateTransition(
            certificate=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )


class CertificateTransition(StatusStep):
    """Issue and revocation of a certificate, with who and why (append-only)."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=10, choices=Certificate.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=10, choices=Certificate.Status.choices)
    # Empty when the system did it (a renewal, a task).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta(StatusStep.Meta):
        verbose_name = _("certificate step")
        verbose_name_plural = _("certificate history")
