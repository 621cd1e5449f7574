"""Test settings: lms.settings with test switches flipped, nothing more."""

import os

from lms.settings import *  # noqa: F403
from lms.settings import CACHES, DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# A worker started by the tests is pointed at the test database by name.
if os.environ.get("LMS_TEST_WORKER_DB"):
    DATABASES["default"]["NAME"] = os.environ["LMS_TEST_WORKER_DB"]

if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LMS_TEST_CELERY_DIR = VAR_DIR / "test-celery"
if CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(LMS_TEST_CELERY_DIR / "queue"),
        "data_folder_out": str(LMS_TEST_CELERY_DIR / "queue"),
        "processed_folder": str(LMS_TEST_CELERY_DIR / "processed"),
        "control_folder": str(LMS_TEST_CELERY_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (LMS_TEST_CELERY_DIR / _folder).mkdir(parents=True, exist_ok=True)

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
LMS_REQUIRE_MFA = False
