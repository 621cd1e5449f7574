"""A throw-away Django for benchmarks: its own SQLite database, media and
broker folders in a temporary directory, set up before Django reads the
settings.  Import this module first, then call ``start``."""

import os
import tempfile
from pathlib import Path


def start(prefix: str, **extra_env: str) -> Path:
    """Point Django at a fresh temporary folder and set it up (the caller
    migrates); returns the folder.  ``extra_env`` adds environment variables."""
    import django

    var = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="lms.settings",
        LMS_VAR_DIR=str(var),
        LMS_MEDIA_ROOT=str(var / "media"),
        DATABASE_URL=f"sqlite:///{var}/bench.sqlite3",
        CELERY_BROKER_URL="filesystem://",
        **extra_env,
    )
    django.setup()
    return var
