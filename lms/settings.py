"""The one settings module.

Everything that differs between a laptop, CI and production comes from the
environment.  With nothing set, the embedded defaults work on a bare machine:
SQLite, local media, a file-based cache and a Celery broker that needs no
server (kombu's filesystem transport, still served by a real worker process).
"""

import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LMS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEBUG = env_bool("DJANGO_DEBUG", True)
# Production sits behind TLS at the proxy: secure cookies, HSTS and the HTTPS
# redirect follow DEBUG off.  ``LMS_HTTPS=0`` is for plain HTTP on loopback
# only (``make demo`` sets it), never for a server other machines reach.
LMS_HTTPS = env_bool("LMS_HTTPS", not DEBUG)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "embedded-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms.core",
    "lms.reports",
    "courses",
    "supervision",
    # Wagtail: the admin for coordinators (units, people, later the syllabus).
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "lms.core.apps.WagtailUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # django-allauth: login, password reset, email verification, MFA, rate limits.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from gunicorn: hashed names cached for a year.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.core.middleware.OneLoginPathMiddleware",
    "lms.core.middleware.RequireMfaMiddleware",
    "lms.core.middleware.AdminAccessMiddleware",
    "lms.core.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lms.core.context_processors.navigation",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks
    # rather than failing, and let readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

_cache_url = os.environ.get("LMS_CACHE_URL", "")
if _cache_url.startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    # A file cache is shared by every process on the machine, so login rate
    # limits hold across the web server's workers without a server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- media and static ---------------------------------------------------------

MEDIA_ROOT = Path(os.environ.get("LMS_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(os.environ.get("LMS_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"


def private_storage_config(media_root: Path, name: str) -> dict:
    """A storage with no public URL: every byte goes out through a view
    that checks who asks.  ``LMS_<NAME>_STORAGE`` (and ``..._OPTIONS``, JSON)
    moves it, e.g. to a private S3 bucket."""
    backend = os.environ.get(f"LMS_{name.upper()}_STORAGE")
    if backend:
        options = json.loads(
            os.environ.get(f"LMS_{name.upper()}_STORAGE_OPTIONS", "{}")
        )
        return {"BACKEND": backend, "OPTIONS": options}
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(media_root / name), "allow_overwrite": True},
    }


def video_storage_config(media_root: Path) -> dict:
    """Videos (served by ``courses.views.videos``)."""
    return private_storage_config(media_root, "videos")


STORAGES = {
    "videos": video_storage_config(MEDIA_ROOT),
    # Signed consent forms and other case files (served by supervision.views).
    "private": private_storage_config(MEDIA_ROOT, "private"),
    "default": {
        "BACKEND": os.environ.get(
            "LMS_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("LMS_MEDIA_STORAGE_OPTIONS", "{}")),
    },
    # Hashed, gzip-compressed copies made by ``collectstatic``; WhiteNoise
    # serves the hashed names with a far-future, immutable cache header.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# --- language and time --------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "lms" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- accounts (django-allauth) ------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "lms.core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("LMS_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
# A person changes their own address at /accounts/email/: the new one is
# confirmed first and then replaces the old, which is told (as it is of a
# password change or reset).  Coordinators cannot change it once the account
# has been used (lms.core.services.people.person_update).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
# "Signed in as 张伟", not as the login name.
ACCOUNT_USER_DISPLAY = str
ACCOUNT_FORMS = {"login": "lms.core.account_forms.LoginForm"}
ACCOUNT_RATE_LIMITS = {
    # Per IP and per account: five wrong passwords in five minutes lock the
    # account name out for the rest of that window.
    "login_failed": os.environ.get("LMS_LOGIN_FAILED_LIMIT", "20/m/ip,5/5m/key"),
    "reset_password": "5/m/ip,3/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "心训 LMS"
LMS_REQUIRE_MFA = env_bool("LMS_REQUIRE_MFA", False)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("LMS_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "心训 LMS <noreply@localhost>"
)

# How many proxies in front of us append to X-Forwarded-For; 0 trusts only
# REMOTE_ADDR for the IP written to the audit log.
LMS_TRUSTED_PROXIES = int(os.environ.get("LMS_TRUSTED_PROXIES", "0"))

# --- Wagtail -------------------------------------------------------------------

WAGTAIL_SITE_NAME = "心训 LMS"
# Links in e-mails and QR codes.  ``lms/core/launcher.py`` derives it from the
# host and port it serves on unless it is set.
LMS_BASE_URL = os.environ.get("LMS_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = LMS_BASE_URL
# One way to log in: allauth's (rate limits, MFA, audit).  Wagtail's own
# login, logout and password reset URLs redirect there (lms/urls.py), and
# Wagtail's account page neither changes passwords nor e-mail addresses.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# Nothing leaves the machine: no avatars from gravatar.com.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt"]
# Documents (lesson attachments) go out only through courses.views.documents,
# which checks the reader may open a lesson linking them; never a media URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- videos --------------------------------------------------------------------

# Policy limits for a micro-video (微课): 5 minutes and 1 GiB by default.
LMS_VIDEO_MAX_SECONDS = float(os.environ.get("LMS_VIDEO_MAX_SECONDS", "300"))
LMS_VIDEO_MAX_BYTES = int(os.environ.get("LMS_VIDEO_MAX_BYTES", str(1024**3)))
# Frames larger than this a side are refused at upload, before any decoding.
LMS_VIDEO_MAX_DIMENSION = int(os.environ.get("LMS_VIDEO_MAX_DIMENSION", "8192"))
# ffmpeg gets this many seconds per second of the video's real length (at
# least a minute) and is stopped after LMS_VIDEO_TIMEOUT_SECONDS at most; a
# worker renews its lease on a video every 15 s and the sweeper takes back
# leases older than this.
LMS_VIDEO_TIMEOUT_PER_SECOND = float(
    os.environ.get("LMS_VIDEO_TIMEOUT_PER_SECOND", "3")
)
LMS_VIDEO_TIMEOUT_SECONDS = float(os.environ.get("LMS_VIDEO_TIMEOUT_SECONDS", "900"))
LMS_VIDEO_LEASE_SECONDS = int(os.environ.get("LMS_VIDEO_LEASE_SECONDS", "60"))

# --- roster imports --------------------------------------------------------------

# Roster files (names, mobile numbers, e-mail addresses, staff numbers) stay
# in the private storage this many days after their import finished (or,
# never imported, after the upload), then the daily sweep deletes them.
LMS_ROSTER_RETENTION_DAYS = int(os.environ.get("LMS_ROSTER_RETENTION_DAYS", "30"))

# --- certificates ----------------------------------------------------------------

# The public certificate check (/verify/) answers this many lookups per
# client address in a window ("30/10m": 30 in ten minutes; s, m, h), then
# 429 until the window ends, so serials cannot be tried in bulk.
LMS_VERIFY_RATE = os.environ.get("LMS_VERIFY_RATE", "30/10m")

# --- Celery --------------------------------------------------------------------

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport, in ``folder``; its folders must exist."""
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(
        Path(os.environ.get("LMS_CELERY_DIR", VAR_DIR / "celery"))
    )
# Heavy work has its own queues so a long transcode never delays an email.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("video"), Queue("reports")]
CELERY_TASK_ROUTES = {"courses.tasks.video*": {"queue": "video"}}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "lms.core.tasks.worker_heartbeat_task",
        "schedule": 60.0,
    },
    "videos-sweep": {
        "task": "courses.tasks.videos_sweep_task",
        "schedule": 60.0,
    },
    # 08:30 Asia/Shanghai: members read their email at the start of the day.
    "cohort-reminders": {
        "task": "courses.tasks.cohort_reminders_task",
        "schedule": crontab(hour=8, minute=30),
    },
    "shift-swaps-expire": {
        "task": "supervision.tasks.shift_swaps_expire_task",
        "schedule": crontab(minute="*/15"),
    },
    # 03:20 Asia/Shanghai, when nobody imports: roster files past retention.
    "roster-files-sweep": {
        "task": "courses.tasks.roster_files_sweep_task",
        "schedule": crontab(hour=3, minute=20),
    },
    # 08:40 Asia/Shanghai: certificates expiring in 60 or 14 days (once each).
    "certificate-reminders": {
        "task": "supervision.tasks.certificate_reminders_task",
        "schedule": crontab(hour=8, minute=40),
    },
    # --- pool ---
    # 08:50 Asia/Shanghai, after the certificate reminders: lapsed
    # certificates flag talent-pool members for review (never a demotion).
    "pool-flag-lapsed": {
        "task": "supervision.tasks.pool_flag_lapsed_task",
        "schedule": crontab(hour=8, minute=50),
    },
    # --- end pool ---
}

# --- security ------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
# Wagtail's live preview shows the page in a same-origin iframe, so DENY
# would break editing; SAMEORIGIN still refuses every other site.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and LMS_TRUSTED_PROXIES:
    # X-Forwarded-Proto is believed only when a proxy is known to be in front
    # (and to overwrite the header); otherwise any client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and LMS_HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp), on in every mode so that the tests and
# the demo run under it.  The site runs no inline script or style; Wagtail's
# admin writes inline scripts (date pickers, inline panels), so /admin/ is
# allowed 'unsafe-inline' for scripts and styles and nothing else more
# (lms.core.middleware.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
LMS_CSP_ADMIN_PREFIX = "/admin/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 or 404 is a line on the console, not a traceback: the request
    # was refused on purpose.  Errors (5xx) keep theirs.
    "filters": {
        "no_client_error_traceback": {
            "()": "lms.core.log_filters.NoTracebackForClientErrors"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_client_error_traceback"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("LMS_LOG_LEVEL", "INFO"),
    },
    # Wagtail's own small tasks (reference index) run in-process and log
    # every run at INFO; keep them quiet unless something fails.
    # Wagtail logs every page action at INFO; its own log table keeps them.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # Django's own console handler (debug only) would print every
        # refused request again, traceback included: ours alone.
        "django": {
            "handlers": ["console"],
            "level": os.environ.get("LMS_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

# --- deploy --------------------------------------------------------------------

# The crisis call-out answer page (/crisis/answer/<token>/) answers this many
# requests per client address in a window ("30/10m"), like /verify/, so call-out
# tokens cannot be tried in bulk.
LMS_CALLOUT_RATE = os.environ.get("LMS_CALLOUT_RATE", "30/10m")
# Every 15 minutes: call-out links that expired unanswered free their places.
CELERY_BEAT_SCHEDULE["callouts-expire"] = {
    "task": "supervision.tasks.callouts_expire_task",
    "schedule": crontab(minute="*/15"),
}

# --- /deploy -------------------------------------------------------------------
