"""Operational state: is the background worker alive."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the periodic heartbeat task.

    One row per worker host name, refreshed every minute by Celery beat, so
    the health page can say whether background work is being done.
    """

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return self.hostname
