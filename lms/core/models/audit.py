"""The append-only audit log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGIN_BLOCKED = "login_blocked", _("Login blocked by rate limit")
    LOGOUT = "logout", _("Logged out")
    PERSON_CREATE = "person_create", _("Person created")
    PERSON_CHANGE = "person_change", _("Person changed")
    UNIT_CREATE = "unit_create", _("Unit created")
    UNIT_CHANGE = "unit_change", _("Unit changed")
    HOURS_CREDIT = "hours_credit", _("Hours credited")
    HOURS_REVERSE = "hours_reverse", _("Hours reversed")
    EXPORT = "export", _("Data exported")
    SIGN_OFF = "sign_off", _("Signed off")
    CONSENT_CHANGE = "consent_change", _("Consent changed")
    CASE_NOTES_READ = "case_notes_read", _("Case notes read")
    CASE_CHANGE = "case_change", _("Case changed")
    SUPERVISOR_ASSIGNMENT = "supervisor_assignment", _("Supervisor assignment changed")
    ATTENDANCE_CHANGE = "attendance_change", _("Attendance changed")
    ROLE_CHANGE = "role_change", _("Roles, home unit or activation changed")
    EMAIL_CHANGE = "email_change", _("Email address changed")
    PAIRING_CHANGE = "pairing_change", _("Pairing changed")
    SHIFT_SUPERVISOR_CHANGE = "shift_supervisor_change", _("Supervisor on duty changed")
    CERTIFICATION = "certification", _("Certification enrolment changed")
    CERTIFICATE = "certificate", _("Certificate issued, revoked or renewed")
    QUALIFICATION = "qualification", _("Qualification verified or rejected")
    RATING = "rating", _("Competency rating recorded")
    TIER = "tier", _("Talent-pool tier changed or reviewed")
    CRISIS = "crisis", _("Crisis team, deployment or call-out changed")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")


class AuditEvent(models.Model):
    """Something that happened that someone may later have to account for.

    Written by :func:`lms.core.services.audit.audit_record` only.  Rows are never
    changed: the model and queryset refuse updates and deletes, and
    database triggers refuse UPDATE and DELETE as well (migrations 0002 and
    0006).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        # Read by people (the admin's menus and titles): the actor's name and
        # the action's label, never its code word.
        actor = self.actor.get_full_name() if self.actor_id else self.actor_label
        return f"{self.at:%Y-%m-%d %H:%M} {actor} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")
