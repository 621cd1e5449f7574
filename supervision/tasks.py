"""Celery tasks of supervision: thin wrappers over services."""

from celery import shared_task
from django.db import OperationalError

from .services import certificates


@shared_task(acks_late=True)
def shift_swaps_expire_task() -> int:
    """Store swap offers of shifts that started or were cancelled as
    expired (they already count as lapsed everywhere; this keeps the
    rows truthful).  Idempotent."""
    from .services.shifts import shift_swaps_expire

    return shift_swaps_expire()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def certificate_pdf_task(*, certificate_id: int) -> bool:
    """Make a certificate's PDF (``certificates.certificate_pdf_make``;
    idempotent, so a message delivered twice makes one file)."""
    return certificates.certificate_pdf_make(certificate_id=certificate_id) is not None


@shared_task(acks_late=True)
def certificate_reminders_task() -> int:
    """Daily: remind holders 60 and 14 days before expiry
    (``certificates.certificate_reminders_send``; once each per
    certificate, also when beat runs twice)."""
    return certificates.certificate_reminders_send()


# --- pool ---


@shared_task(acks_late=True)
def pool_flag_lapsed_task() -> int:
    """Daily: flag for review the pool members whose tier needs a
    certificate that expired or was revoked
    (``pool.pool_flag_lapsed``; idempotent, a flagged member is left
    alone)."""
    from .services.pool import pool_flag_lapsed

    return pool_flag_lapsed()


# --- deploy -------------------------------------------------------------------


@shared_task(acks_late=True)
def callouts_expire_task() -> int:
    """Mark crisis call-outs whose link expired unanswered, so their places
    can be filled and the people count as free again
    (``deployments.callouts_expire``; idempotent)."""
    from .services.deployments import callouts_expire

    return callouts_expire()


# --- /deploy ------------------------------------------------------------------
