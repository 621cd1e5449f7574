"""Celery tasks of supervision: thin wrappers over services."""

from celery import shared_task


@shared_task(acks_late=True)
def shift_swaps_expire_task() -> int:
    """Store swap offers of shifts that started or were cancelled as
    expired (they already count as lapsed everywhere; this keeps the
    rows truthful).  Idempotent."""
    from .services.shifts import shift_swaps_expire

    return shift_swaps_expire()
