"""In-app notices (and their email) to one person, for every app."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from ..models import Notice, User

MAX_TEXT = 300


def notice_send(
    *, person: User, text: str, url: str = "", email: bool = True
) -> Notice:
    """Leave ``text`` on ``person``'s home page and, after commit, email it
    when they have an address.  Never raises for a missing address."""
    notice = Notice.objects.create(
        person=person, text=str(text)[:MAX_TEXT], url=url[:300]
    )
    if email and person.email:
        from ..tasks import notice_email_task

        transaction.on_commit(lambda: notice_email_task.delay(notice_id=notice.pk))
    return notice


def notices_mark_read(*, person: User, ids: list[int] | None = None) -> int:
    """Mark the person's unread notices (or those of ``ids``) read."""
    rows = Notice.objects.filter(person=person, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def notice_email(*, notice_id: int) -> bool:
    """Email one notice to its person, with its link made absolute.

    Returns False, sending nothing, for a notice deleted meanwhile or a
    person without an address.  Not idempotent: every call sends a mail.
    """
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
