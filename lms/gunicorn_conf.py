"""gunicorn's settings for the web process.

    gunicorn -c lms/gunicorn_conf.py --bind 0.0.0.0:8000

Threads (``gthread``) wait on the database while another thread renders, so
a few processes with a few threads each fill the cores without the memory of
one process per request.  The defaults suit the 2-core machine the figures
were measured on: ``cores + 1`` processes of 4 threads; set
``LMS_WEB_WORKERS`` and ``LMS_WEB_THREADS`` for another machine.
"""

import os

wsgi_app = "lms.wsgi:application"
bind = os.environ.get("LMS_WEB_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("LMS_WEB_WORKERS") or (os.cpu_count() or 1) + 1)
threads = int(os.environ.get("LMS_WEB_THREADS") or 4)
# A request taking this long is stuck: the worker is replaced.  Uploads
# of videos stream to storage within it.
timeout = int(os.environ.get("LMS_WEB_TIMEOUT") or 120)
graceful_timeout = 10
keepalive = 2
# A worker is replaced after this many requests, so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# The client address and scheme a proxy reports are believed only from
# the proxies LMS_TRUSTED_PROXIES says are there (Django reads them the
# same way); with none, no one may claim HTTPS by a header.
forwarded_allow_ips = os.environ.get(
    "LMS_WEB_FORWARDED_ALLOW_IPS",
    "127.0.0.1,::1" if int(os.environ.get("LMS_TRUSTED_PROXIES") or 0) else "",
)
accesslog = os.environ.get("LMS_WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LMS_WEB_LOG_LEVEL", "warning")
# gunicorn's run-time control socket (``gunicornc``) is one per user by
# default, shared by every gunicorn of that user; nothing here uses it.
control_socket_disable = True
