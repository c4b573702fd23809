"""Django settings, every one read from a MUTUALPLAN_ environment variable (see .env.sample)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"MUTUALPLAN_{name}", default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "")
    if value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"MUTUALPLAN_{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = env(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"MUTUALPLAN_{name} must be a whole number") from None


def default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "mutualplan"


DATA_DIR = Path(env("DATA_DIR") or default_data_dir()).expanduser()

DEBUG = envbool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    # A per-installation key kept in the data directory, so signed cookies survive restarts.
    _key_file = DATA_DIR / "secret_key"
    try:
        SECRET_KEY = _key_file.read_text().strip()
    except OSError:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(SECRET_KEY)
            _key_file.chmod(0o600)
        except OSError:
            pass

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
BASE_URL = env("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "mutualplan.workspaces",
    "mutualplan.plans",
    "mutualplan.web",
]

MIDDLEWARE = [
    # First, so that every answer under a share-link path is marked, errors included.
    "mutualplan.http.robots.ShareLinkPrivacyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mutualplan.api.middleware.ApiErrorShapeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mutualplan.urls"
ASGI_APPLICATION = "mutualplan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = env("DATABASE_URL") or os.environ.get("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and envbool("DB_POOL", True):
        # A connection pool (psycopg_pool) instead of a connection per request.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["pool"] = {"min_size": 1, "max_size": 8}
        # Server-side binding lets PostgreSQL prepare the statements every request repeats.
        options["server_side_binding"] = envbool("DB_SERVER_SIDE_BINDING", True)
        options["prepare_threshold"] = 2
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, with connections reused across requests.
            "ENGINE": "mutualplan.db.sqlite",
            "NAME": str(DATA_DIR / "mutualplan.sqlite3"),
            # Wait for the writer instead of failing at once when two requests write together.
            # WAL lets readers and the one writer proceed together; writers queue for the lock
            # (IMMEDIATE) instead of failing on upgrade. NORMAL sync is durable in WAL mode
            # against a process crash, which is what a restart is.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so that tests of concurrent writers use real connections.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "mutualplan@localhost")

# Days without a status update before an open buyer step counts as stale (the article: two weeks).
STALE_BUYER_STEP_DAYS = envint("STALE_BUYER_STEP_DAYS", 14)
# Days without a reviewing call before an active plan counts as not reviewed.
REVIEW_INTERVAL_DAYS = envint("REVIEW_INTERVAL_DAYS", 14)
API_PAGE_SIZE = envint("API_PAGE_SIZE", 50)
# Live updates across several server processes go through Redis pub/sub when this is set;
# a single process broadcasts in memory.
REDIS_URL = env("REDIS_URL")
# Seconds between keep-alive pings on live-update streams (each also checks for missed events).
LIVE_HEARTBEAT_SECONDS = envint("LIVE_HEARTBEAT_SECONDS", 15)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
