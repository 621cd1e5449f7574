"""Celery tasks of supervision: thin wrappers over services."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation


@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notice_email_task(*, notice_id: int) -> bool:
    """Email one notice; a notice deleted meanwhile is skipped."""
    from .models import Notice

    notice = Notice.objects.select_related("person").filter(pk=notice_id).first()
    if notice is None or not notice.person.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=notice.text[:80],
            message=notice.text
            + (
                "\n\n" + settings.WAGTAILADMIN_BASE_URL.rstrip("/") + notice.url
                if notice.url
                else ""
            ),
            from_email=None,
            recipient_list=[notice.person.email],
        )
    return True


@shared_task(acks_late=True)
def shift_swaps_expire_task() -> int:
    """Store swap offers of shifts that started or were cancelled as
    expired (they already count as lapsed everywhere; this keeps the
    rows truthful).  Idempotent."""
    from .services.shifts import shift_swaps_expire

    return shift_swaps_expire()
