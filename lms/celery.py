"""The Celery application.

Broker and settings come from Django settings (``CELERY_*``).  In the
embedded default the broker is kombu's filesystem transport: no server, but
tasks still run in a separate ``celery worker`` process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
