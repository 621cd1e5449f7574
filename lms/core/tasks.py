"""Background work of the core app.  Tasks are thin: ids in, one service."""

import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .services.notices import notice_email


@shared_task(acks_late=True)
def worker_heartbeat_task() -> None:
    """Record that a worker is alive (run by Celery beat every minute)."""
    from .models import WorkerHeartbeat

    hostname = socket.gethostname()
    updated = WorkerHeartbeat.objects.filter(hostname=hostname).update(
        seen_at=timezone.now(), beats=F("beats") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            hostname=hostname, defaults={"seen_at": timezone.now(), "beats": 1}
        )


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def person_invite_task(*, person_id: int) -> None:
    """Email a new person a link to set their password."""
    from .invitations import person_send_invitation

    person_send_invitation(person_id=person_id)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def people_invite_task(*, person_ids: list[int]) -> int:
    """Email a batch of new people (a roster import) their invitation.

    A person who has set a password meanwhile is skipped, so a retry after
    a partial failure sends nothing to those who already acted on it.
    """
    from .invitations import person_send_invitation

    return sum(person_send_invitation(person_id=pk) for pk in person_ids)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def access_change_mail_task(
    *, event_ids: list[int], person_ids: list[int], addresses: list[str] | None = None
) -> int:
    """Mail a change of roles, home unit or e-mail address (its audit rows) to
    the person concerned, the leaders over their unit and, for a changed
    address, the old address."""
    from .access_notices import access_change_mail

    return access_change_mail(
        event_ids=event_ids, person_ids=person_ids, addresses=addresses or []
    )


@shared_task(
    name="supervision.tasks.notice_email_task",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def notice_email_task(*, notice_id: int) -> bool:
    """Email one notice; a notice deleted meanwhile is skipped.

    Registered under the name it had in supervision, so that messages
    queued before the move still find it.
    """
    return notice_email(notice_id=notice_id)
