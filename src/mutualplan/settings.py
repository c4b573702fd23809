"""Django settings, every one read from a MUTUALPLAN_ environment variable (see .env.sample)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

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


def envint(name: str, default: int, minimum: int | None = None) -> int:
    value = env(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"MUTUALPLAN_{name} must be a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"MUTUALPLAN_{name} must be at least {minimum}")
    return number


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

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def parse_base_url(base_url: str) -> SplitResult:
    """MUTUALPLAN_BASE_URL, checked: an http(s) address with a host name and nothing after
    the path."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"MUTUALPLAN_BASE_URL must be an http:// or https:// address, not {base_url!r}"
        )
    if parts.query or parts.fragment:
        raise ImproperlyConfigured("MUTUALPLAN_BASE_URL must not have a query or fragment")
    return parts


def allowed_hosts(base_url: str, extra: str) -> list[str]:
    """The host names the app answers to: the base URL's, plus the extra comma-separated
    names. A loopback base URL allows every loopback name (the same machine either way)."""
    host = parse_base_url(base_url).hostname or ""
    hosts = [f"[{host}]" if ":" in host else host]
    if hosts[0] in LOOPBACK_HOSTS:
        hosts = list(LOOPBACK_HOSTS)
    return hosts + [name for name in _names(extra) if name not in hosts]


def trusted_origins(base_url: str, extra: str) -> list[str]:
    """Origins trusted for form posts: the base URL's, plus the extra comma-separated ones."""
    parts = parse_base_url(base_url)
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()
    return [origin] + [o for o in _names(extra) if o != origin]


# Every absolute link the app builds (share links, emails) starts with this, never with the
# Host header of a request (see mutualplan.links).
BASE_URL = env("BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
ALLOWED_HOSTS = allowed_hosts(BASE_URL, env("ALLOWED_HOSTS"))
CSRF_TRUSTED_ORIGINS = trusted_origins(BASE_URL, env("CSRF_TRUSTED_ORIGINS"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "mutualplan.accounts",
    "mutualplan.workspaces",
    "mutualplan.plans",
    "mutualplan.digests",
    "mutualplan.live",
    "mutualplan.web",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    # First, so that every answer under a share-link path is marked, errors included.
    "mutualplan.http.robots.ShareLinkPrivacyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Bodies are judged before anything reads them: too large (413), then not JSON on the API
    # (415).
    "mutualplan.http.body_size.BodySizeMiddleware",
    "mutualplan.api.middleware.ApiJsonBodyMiddleware",
    # WhiteNoise, without holding a thread per request (a live stream) under ASGI.
    "mutualplan.http.static_files.StaticFilesMiddleware",
    # A database that can't be reached: 503 "try again in a moment" instead of a 500.
    "mutualplan.http.database.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the request's fields (CSRF, views, the API): unstorable text is a 400.
    "mutualplan.http.inputs.InputCleaningMiddleware",
    "mutualplan.api.middleware.ApiErrorShapeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into our 429 sign-in page.
    "axes.middleware.AxesMiddleware",
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
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with pooled connections checked at checkout (mutualplan.db).
        DATABASES["default"]["ENGINE"] = "mutualplan.db.postgresql"
        options = DATABASES["default"].setdefault("OPTIONS", {})
        # Fail fast while PostgreSQL is unreachable: a request answers 503 "try again in a
        # moment" within seconds instead of hanging. libpq's shortest connect timeout is 2 s.
        options.setdefault("connect_timeout", envint("DB_CONNECT_TIMEOUT", 2))
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and envbool("DB_POOL", True):
        # A connection pool (psycopg_pool) instead of a connection per request.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["pool"] = {
            "min_size": 1,
            "max_size": 8,
            # Seconds a request waits for a free connection before it answers 503.
            "timeout": envint("DB_POOL_TIMEOUT", 1),
            # The pool retries a lost connection with a growing delay; giving up after a few
            # seconds lets the next request start afresh, so it is back soon after PostgreSQL.
            "reconnect_timeout": 5,
        }
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
# Every password a person sets (reset form, `mutualplan createuser`) follows these rules.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes, state in the database so every server process sees it):
# this many failed sign-ins for one account, or from one address, lock that account or
# address out for the cool-off; each attempt while locked out starts the cool-off again.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = envint("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "mutualplan.accounts.signin.username_of"
AXES_LOCKOUT_CALLABLE = "mutualplan.accounts.signin.locked_out"
# A success forgets that seller's own failures from that address only (accounts/signin.py):
# axes' own reset would also forget the address's guesses at other accounts.
AXES_RESET_ON_SUCCESS = False
# No sign-in history is shown anywhere, so none is kept.
AXES_DISABLE_ACCESS_LOG = True
# No banner on every start and command; failures and lockouts are still logged (masked).
AXES_VERBOSE = False
# Password-reset requests: at most this many per email and per address in the window.
PASSWORD_RESET_LIMIT = envint("PASSWORD_RESET_LIMIT", 5, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = envint("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# `mutualplan serve` collects the static files here at start (http/static_files.py).
STATIC_ROOT = env("STATIC_ROOT") or str(DATA_DIR / "static")
# Backups write their portable rows with times to the microsecond (mutualplan.ops.exact_jsonl).
SERIALIZATION_MODULES = {"exact-jsonl": "mutualplan.ops.exact_jsonl"}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, gzip/Brotli copies, a year-plus `immutable` cache from WhiteNoise.
    "staticfiles": {"BACKEND": "mutualplan.http.static_files.StaticStorage"},
}
# Files not collected (tests, a plain checkout) are still served, under their plain names.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "mutualplan@localhost")
EMAIL_TIMEOUT = 10
# One URL for all of the above (mutualplan.mail.email_url); it wins over them when set.
if env("EMAIL_URL"):
    from mutualplan.mail.email_url import parse_email_url

    globals().update(parse_email_url(env("EMAIL_URL")))
# Sending to the buyer: attempts per email before it is marked failed, and the seconds before
# the first retry (doubled for each further one).
EMAIL_ATTEMPTS = envint("EMAIL_ATTEMPTS", 5, minimum=1)
EMAIL_RETRY_SECONDS = envint("EMAIL_RETRY_SECONDS", 60, minimum=0)

# The daily digests go out on weekdays from this hour (0-23) of each workspace's local time
# (the queue's periodic task looks every 15 minutes; `mutualplan remind` sends them at once).
DIGEST_HOUR = envint("DIGEST_HOUR", 8, minimum=0)
if DIGEST_HOUR > 23:
    raise ImproperlyConfigured("MUTUALPLAN_DIGEST_HOUR must be an hour from 0 to 23")

# Days without a status update before an open buyer step counts as stale (the article: two weeks).
STALE_BUYER_STEP_DAYS = envint("STALE_BUYER_STEP_DAYS", 14)
# Days without a reviewing call before an active plan counts as not reviewed.
REVIEW_INTERVAL_DAYS = envint("REVIEW_INTERVAL_DAYS", 14)
API_PAGE_SIZE = envint("API_PAGE_SIZE", 50)
# The largest request body accepted, in bytes (1 MiB); a larger one gets 413 unread. It is
# Django's own limit, so a view reading a body can never be handed more.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_BODY_BYTES", 1024 * 1024)
if DATA_UPLOAD_MAX_MEMORY_SIZE < 1024:
    raise ImproperlyConfigured("MUTUALPLAN_MAX_BODY_BYTES must be at least 1024 (bytes)")
# Live updates across several server processes go through Redis pub/sub when this is set;
# a single process broadcasts in memory.
REDIS_URL = env("REDIS_URL")
# Background work (email) runs on Huey: a SQLite queue in the data directory, or Redis with
# REDIS_URL, so that several servers and workers share one queue (mutualplan.queue).
QUEUE_NAME = env("QUEUE_NAME", "mutualplan")
HUEY: dict[str, object] = {
    "name": QUEUE_NAME,
    # Never run tasks inside the request, whatever DEBUG says (djhuey's default follows it).
    "immediate": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if REDIS_URL:
    import redis

    # Named, so `CLIENT LIST` tells the queue's connections from the live updates' (Huey does
    # not pass its own `client_name` on to the connections it makes from a URL).
    queue_pool = redis.ConnectionPool.from_url(REDIS_URL, client_name="mutualplan-queue")
    HUEY.update({"huey_class": "huey.RedisHuey", "connection_pool": queue_pool})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "queue.sqlite3")})
    with contextlib.suppress(OSError):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
# Seconds between keep-alive pings on live-update streams (each also checks for missed events).
LIVE_HEARTBEAT_SECONDS = envint("LIVE_HEARTBEAT_SECONDS", 15)
# The live backend's class, as a dotted path (empty: in memory, or Redis with REDIS_URL).
LIVE_BACKEND = env("LIVE_BACKEND")
# A client that reads nothing for this many seconds is disconnected (a stuck live viewer
# would otherwise hold its connection and buffers forever).
SEND_TIMEOUT_SECONDS = envint("SEND_TIMEOUT_SECONDS", 30)
if SEND_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("MUTUALPLAN_SEND_TIMEOUT_SECONDS must be at least 1 (seconds)")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Share tokens are secrets: every record is redacted before any handler writes it.
    "filters": {
        "redact_share_tokens": {"()": "mutualplan.http.logging.RedactShareTokens"},
        "without_traceback": {"()": "mutualplan.http.logging.WithoutTraceback"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_share_tokens"]}},
    # Django's loggers write through the one console handler above instead of their own.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # A foreign Host header is refused with 400: one line, not a traceback per request.
        "django.security.DisallowedHost": {"filters": ["without_traceback"], "propagate": True},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
