"""Test settings: lms.settings with test switches flipped, nothing more."""

import os

from lms.settings import *  # noqa: F403
from lms.settings import (
    CACHES,
    DATABASES,
    VAR_DIR,
    filesystem_broker_options,
    private_storage_config,
    video_storage_config,
)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# A worker started by the tests is pointed at the test database by name.
if os.environ.get("LMS_TEST_WORKER_DB"):
    DATABASES["default"]["NAME"] = os.environ["LMS_TEST_WORKER_DB"]

if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "test-celery")

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES["videos"] = video_storage_config(MEDIA_ROOT)
STORAGES["private"] = private_storage_config(MEDIA_ROOT, "private")
LMS_REQUIRE_MFA = False
# WhiteNoise finds static files per request, as in development, instead of
# scanning a collected folder the test run never makes.
WHITENOISE_AUTOREFRESH = True
