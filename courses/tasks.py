"""Celery tasks for courses: thin wrappers holding the retry policy.

Video work runs on the ``video`` queue (``CELERY_TASK_ROUTES``).  ``acks_late`` and
``reject_on_worker_lost`` (set globally) put a message back when a worker
dies; the sweeper covers brokers that cannot (kombu's filesystem
transport) and leases that lapse on other machines.
"""

from celery import shared_task
from celery.signals import worker_ready
from django.db import OperationalError

from courses.leases import LeaseHeld
from courses.services import cohorts, videos


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def video_transcode_task(self, *, video_id: int) -> str:
    """Process one uploaded video (``videos.video_process``).  If another
    live worker holds it, check again when its lease would lapse."""
    try:
        video = videos.video_process(video_id=video_id)
        return video.status if video else "gone"
    except LeaseHeld as held:
        raise self.retry(countdown=held.seconds + 1, max_retries=50) from held


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def video_low_rendition_task(*, video_id: int) -> None:
    """Add the 360p rendition after a remux (``videos.video_make_low``)."""
    videos.video_make_low(video_id=video_id)


@shared_task
def videos_sweep_task() -> int:
    """Re-queue videos whose worker was lost (``videos.videos_requeue_stale``)."""
    return len(videos.videos_requeue_stale())


@shared_task
def cohort_reminders_task() -> dict:
    """Daily: remind members behind schedule and send coordinators a digest
    (``cohorts.cohort_reminders_send``; idempotent per person and day)."""
    return cohorts.cohort_reminders_send()


@worker_ready.connect
def _sweep_on_start(sender=None, **kwargs):
    # A worker that starts after a crash finds the videos its predecessor
    # held at once, rather than at the next beat.
    videos_sweep_task.delay()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def roster_import_task(*, roster_import_id: int) -> str:
    """Import a checked roster file (``roster.roster_import_run``).  Runs on
    the default queue: it is database work, not video work.  A busy SQLite
    database (another writer holding the lock) is retried with backoff."""
    from courses.services import roster

    return roster.roster_import_run(roster_import_id=roster_import_id).status


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def roster_files_sweep_task() -> int:
    """Daily: delete roster files past ``LMS_ROSTER_RETENTION_DAYS``
    (``roster.roster_files_sweep``; idempotent, so a retry is harmless)."""
    from courses.services import roster

    return roster.roster_files_sweep()
