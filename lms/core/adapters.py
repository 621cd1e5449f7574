"""django-allauth hooks: no public sign-up, and logins go to the audit log."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from .models import AuditAction
from .services.audit import audit_record
from .services.people import mask_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created by coordinators (one by one or by roster
        # import), never by visitors.
        return False

    def login(self, request, user) -> None:
        super().login(request, user)
        audit_record(actor=user, action=AuditAction.LOGIN, request=request)

    def logout(self, request) -> None:
        user = request.user if request.user.is_authenticated else None
        if user is not None:
            audit_record(actor=user, action=AuditAction.LOGOUT, request=request)
        super().logout(request)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        # allauth tells the old address when a person changes their own; the
        # same moment goes to the audit log, with both addresses masked.
        if template_prefix == "account/email/email_changed" and context:
            audit_record(
                actor=user,
                action=AuditAction.EMAIL_CHANGE,
                request=self.request,
                obj=user,
                detail=f"email: {mask_email(context['from_email'])} → "
                f"{mask_email(context['to_email'])}",
            )
        super().send_notification_mail(template_prefix, user, context, email)

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit_record(
                actor=None,
                action=AuditAction.LOGIN_BLOCKED,
                request=request,
                actor_label=_login_name(credentials),
            )
            raise

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            request=request,
            actor_label=_login_name(credentials),
        )


def _login_name(credentials: dict) -> str:
    """The name someone tried to log in as, matched to an account if any."""
    name = credentials.get("username") or credentials.get("email") or ""
    return str(name)[:150]
