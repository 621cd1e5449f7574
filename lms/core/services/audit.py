"""Writes to the audit log: one row per action, with the client's address."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from ..models import AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, trusting only as many proxies as configured."""
    from django.conf import settings

    if request is None:
        return None
    hops = settings.LMS_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one row to the audit log.

    Callable inside or outside a transaction; inside one, the row shares its
    fate (an aborted sign-off leaves no audit claim that it happened).
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(actor.get_username() if actor else actor_label)[:150],
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj else None,
        object_id=str(obj.pk) if obj else "",
        object_repr=str(obj)[:200] if obj else "",
        ip=client_ip(request),
        detail=detail[:500],
    )
