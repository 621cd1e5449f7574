"""External qualifications (e.g. 国家心理咨询师三级): the kinds a
requirement may ask for, and the documents trainees upload for a
coordinator to verify."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lms.core.models import StatusStep

from .cases import private_storage


class QualificationKind(models.Model):
    """An external qualification a requirement may ask for, e.g.
    国家心理咨询师三级, or 16 hours of ethics training within 3 years."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months) when the document names no expiry"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )

    class Meta:
        verbose_name = _("qualification kind")
        verbose_name_plural = _("qualification kinds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


#: Extensions a stored qualification document may carry; the service
#: decides which from the file's first bytes, never from the uploaded name.
QUALIFICATION_EXTENSIONS = ("pdf", "jpg", "png")


def qualification_upload_to(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = ext if ext in QUALIFICATION_EXTENSIONS else "bin"
    return f"qualifications/{instance.person_id}/{secrets.token_hex(16)}.{ext}"


class Qualification(models.Model):
    """An external qualification a trainee uploaded, waiting for or given
    a coordinator's verification.  Counts only while verified and not
    expired."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not accepted")

    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED, Status.REJECTED},
        Status.VERIFIED: {Status.REJECTED},
        Status.REJECTED: set(),
    }
    TRANSITION_REFUSED = _("A qualification that is %(from)s cannot become %(to)s.")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    kind = models.ForeignKey(
        QualificationKind,
        verbose_name=_("qualification"),
        on_delete=models.PROTECT,
        related_name="held",
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    document = models.FileField(
        _("document"),
        upload_to=qualification_upload_to,
        storage=private_storage,
        max_length=200,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="qualification_expires_after_issue",
                condition=Q(expires_on__isnull=True)
                | Q(expires_on__gte=F("issued_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.person}"

    def history_row(self, *, before: str, after: str, actor, comment: str):
        return QualificationTransition(
            qualification=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )


class QualificationTransition(StatusStep):
    """One step of a qualification's verification (append-only)."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=10, choices=Qualification.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=10, choices=Qualification.Status.choices)

    class Meta(StatusStep.Meta):
        verbose_name = _("verification step")
        verbose_name_plural = _("verification history")
