"""In-app notices (and their email) to one person."""

from django.db import transaction

from lms.core.models import User

from ..models import Notice

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
    from django.utils import timezone

    rows = Notice.objects.filter(person=person, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
