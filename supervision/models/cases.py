"""Cases (个案): a client known only by a code, their consent, notes and
referrals."""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

#: No 0/O or 1/I: codes are read aloud and copied by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_client_code() -> str:
    return "C-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Case(models.Model):
    """One client's counselling case, held by a practitioner.

    The client is a generated code: there is deliberately no field for a
    name, phone or ID number, and free text is checked for numbers that
    look like one.  Notes are readable by the practitioner and their
    supervisors only (``supervision.permissions.can_read_case_notes``);
    leaders see counts.
    """

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRISIS = "crisis", _("Crisis")

    client_code = models.CharField(
        _("client code"),
        max_length=12,
        unique=True,
        default=new_client_code,
        editable=False,
    )
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("practitioner"),
        on_delete=models.PROTECT,
        related_name="cases_held",
    )
    presenting_issue = models.CharField(
        _("presenting issue"),
        max_length=200,
        help_text=_("A few words, without names or numbers."),
    )
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=Risk.choices, default=Risk.LOW
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="case_closes_after_it_opens",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.client_code


class CaseNote(models.Model):
    """A note on a session with the client: the most private text here.
    Every read is written to the audit log."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    session_on = models.DateField(_("session on"))
    body = models.TextField(_("note"), max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-session_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.session_on}"


#: Extensions a stored consent form may carry; the service decides which
#: from the file's first bytes, never from the uploaded name.
CONSENT_FORM_EXTENSIONS = ("pdf", "jpg", "png")


def private_storage():
    """Consent forms carry the client's name: a storage with no public URL,
    read only through the permission-checked view."""
    return storages["private"]


def consent_upload_to(instance, filename: str) -> str:
    """A random name under the case's folder; nothing of the uploaded name
    survives but an extension from ``CONSENT_FORM_EXTENSIONS``."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = ext if ext in CONSENT_FORM_EXTENSIONS else "bin"
    return f"consent/{instance.case_id}/{secrets.token_hex(16)}.{ext}"


class Consent(models.Model):
    """The client's informed consent (知情同意) and what it covers.

    An observation entry may reference the case only while a consent
    covering observation stands; withdrawing it blocks new observation
    entries (existing ones stay, with their history).
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="consents"
    )
    signed_on = models.DateField(_("signed on"))
    covers_observation = models.BooleanField(
        _("observation by a trainee"), default=False
    )
    covers_recording = models.BooleanField(_("recording"), default=False)
    covers_discussion = models.BooleanField(
        _("case discussion in supervision"), default=False
    )
    form = models.FileField(
        _("signed form"),
        upload_to=consent_upload_to,
        storage=private_storage,
        max_length=200,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("informed consent")
        verbose_name_plural = _("informed consents")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="consent_withdrawn_after_signed",
                condition=Q(withdrawn_on__isnull=True)
                | Q(withdrawn_on__gte=F("signed_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.signed_on}"


class Referral(models.Model):
    """A referral to medical care (转介) made for the client."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals"
    )
    referred_on = models.DateField(_("referred on"))
    referred_to = models.CharField(_("referred to"), max_length=200)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} → {self.referred_to}"
