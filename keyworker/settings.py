"""Keyworker settings. Everything deployment-specific comes from the environment.

KEYWORKER_DEBUG          "1" for development error pages (never in production)
KEYWORKER_SECRET_KEY     signing key; without it a key is generated once into var/secret_key
KEYWORKER_ALLOWED_HOSTS  comma-separated host names (default: localhost names only)
KEYWORKER_DATA_DIR       where the SQLite database, secret key and collected static files live (default ./var)
DATABASE_URL             postgres://user:pass@host:port/name selects PostgreSQL; unset = embedded SQLite
KEYWORKER_EMAIL_HOST / KEYWORKER_EMAIL_PORT   SMTP server for notifications (default localhost:25)
KEYWORKER_SITE_URL       the address staff reach Keyworker at, e.g. https://keyworker.example.org: links in e-mails
                         are made absolute with it (without it they are paths)
KEYWORKER_EMAIL_TO_FILES "1" writes e-mails as files into <data dir>/mail/ instead of sending them (`make run`
                         sets it when no SMTP server is given, so the demo's reminders and alerts can be read)
KEYWORKER_PRODUCTION     "1" behind TLS in production: secure __Host- cookies, HSTS, HTTPS redirect, no DEBUG,
                         and KEYWORKER_SECRET_KEY becomes mandatory (docs/decisions/0014)
KEYWORKER_SECURE_COOKIES "1" for secure (https-only) cookies without the rest of KEYWORKER_PRODUCTION
KEYWORKER_TLS_PROXY      "1" when a proxy terminates TLS and sets X-Forwarded-Proto (trusted for "is https?")
KEYWORKER_REQUIRE_MFA    "0" switches off the MFA-required check (tests only; default on)
KEYWORKER_BENCH          "1" for `keyworker bench` only: Server-Timing headers, the /bench/floor view (decisions/0031)
KEYWORKER_REPLICA_URL    postgres://... of a streaming replica: reports and search read from it (decisions/0032)
KEYWORKER_REPLICA_STICKY_SECONDS  how long a user's reads stay on the primary after they write (default 15)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("KEYWORKER_DATA_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = _env_bool("KEYWORKER_PRODUCTION")


def _secret_key() -> str:
    from_env = os.environ.get("KEYWORKER_SECRET_KEY")
    if from_env:
        return from_env
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("KEYWORKER_PRODUCTION=1 needs KEYWORKER_SECRET_KEY (50+ random characters).")
    # A development install keeps a generated key on disk so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DEBUG = _env_bool("KEYWORKER_DEBUG") and not PRODUCTION
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("KEYWORKER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django.contrib.humanize",  # allauth.usersessions' list of sessions uses it
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "keyworker.core",
    "keyworker.accounts",
    "keyworker.audit",
    "keyworker.people",
    "keyworker.casework",
    "keyworker.custody",
    "keyworker.diary",
    "keyworker.safeguarding",
    "keyworker.outcomes",
    "keyworker.intake",
    "keyworker.funding",
    "keyworker.services",
    "keyworker.privacy",
    "keyworker.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The database cannot be reached: a plain 503 page / JSON, outside everything that reads it (decisions/0035).
    "keyworker.core.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keyworker.core.middleware.PolicyMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout, absolute lifetime, MFA required, no-store, Clear-Site-Data (docs/decisions/0013, 0014).
    "keyworker.core.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
    "keyworker.audit.middleware.AuditSourceMiddleware",
]

ROOT_URLCONF = "keyworker.urls"
WSGI_APPLICATION = "keyworker.wsgi.application"

TEMPLATES = [
    {
        # Our own pages: Jinja2 (about three times faster than Django templates here).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "keyworker.core.jinja2.environment"},
    },
    {
        # Pages shipped by libraries (allauth, admin) use Django templates.
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


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("KEYWORKER_SQLITE_PATH", str(DATA_DIR / "keyworker.sqlite3")),
        # Concurrent writers wait for each other rather than fail (docs/decisions/0002).
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": _database()}
# A streaming replica for reports and search (docs/decisions/0032-read-replica.md). Without it the router
# sends everything to "default" and its middleware is not installed.
if os.environ.get("KEYWORKER_REPLICA_URL"):
    DATABASES["replica"] = dict(
        dj_database_url.parse(os.environ["KEYWORKER_REPLICA_URL"], conn_max_age=60, conn_health_checks=True)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the primary's test database
    MIDDLEWARE.insert(
        MIDDLEWARE.index("keyworker.core.middleware.SessionSecurityMiddleware"),
        "keyworker.core.db_router.ReplicaMiddleware",
    )
DATABASE_ROUTERS = ["keyworker.core.db_router.ReplicaRouter"]
# `keyworker bench` (docs/decisions/0031): Server-Timing on every response, first so it times every middleware,
# and the /bench/floor view. Never on in production.
KEYWORKER_BENCH = _env_bool("KEYWORKER_BENCH") and not PRODUCTION
if KEYWORKER_BENCH:
    MIDDLEWARE.insert(0, "keyworker.bench.middleware.ServerTimingMiddleware")
KEYWORKER_REPLICA_STICKY_SECONDS = int(os.environ.get("KEYWORKER_REPLICA_STICKY_SECONDS", "15"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in through allauth; staff accounts are created by administrators, never self-registered.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "diary:my_week"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "keyworker.accounts.adapter.StaffAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_PREVENT_ENUMERATION = True
# Failed sign-ins (password or MFA code) counted in the shared cache. Short windows: an attacker who knows a
# worker's e-mail can hold that account shut for at most 2 minutes at a time, while password guessing stays
# at 5 tries per 2 minutes per account (3,600 a day, and the TOTP code is still needed). Per address:
# 20 failures a minute (an office behind one NAT address shares it). docs/decisions/0013.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/m/ip,5/2m/key",
}
# Changing MFA or the e-mail address needs the password (or a code) again if the last one is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_REAUTHENTICATION_REQUIRED = True

# MFA: every staff account must have an authenticator app (TOTP); recovery codes are made with it.
# Passkeys (webauthn) are left out for now: their pages need GOV.UK templates and a Chromium test with a
# virtual authenticator first (docs/decisions/0013). allauth's passkey scripts are files, so the CSP allows them.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Keyworker"
MFA_TOTP_PERIOD = 30
MFA_TOTP_DIGITS = 6
MFA_TOTP_TOLERANCE = 1  # accept the code either side of now: phone clocks drift
MFA_RECOVERY_CODE_COUNT = 10
MFA_REAUTHENTICATION_REQUIRED = True
KEYWORKER_REQUIRE_MFA = PRODUCTION or _env_bool("KEYWORKER_REQUIRE_MFA", default=True)  # never off in production

# "Your sessions" (/accounts/sessions/): see and end your other sign-ins. Sessions are recorded at sign-in;
# last-seen tracking is off (it would write on every request; the idle timeout keeps its own clock).
USERSESSIONS_TRACK_ACTIVITY = False

# Login rate limits count in the cache; the database cache is shared by every server process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "keyworker_cache"}
}

SESSION_COOKIE_HTTPONLY = True
# Absolute lifetime 12 hours from sign-in; idle timeout 30 minutes. Both are enforced on the server by
# keyworker.core.middleware (the cookie age alone would slide with every request).
SESSION_COOKIE_AGE = 60 * 60 * 12
KEYWORKER_SESSION_ABSOLUTE_SECONDS = 60 * 60 * 12
KEYWORKER_SESSION_IDLE_SECONDS = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Behind TLS in production set KEYWORKER_PRODUCTION=1 (or just KEYWORKER_SECURE_COOKIES=1);
# `make run` serves plain http on loopback, where secure and __Host- cookies would not be sent back.
SESSION_COOKIE_SECURE = PRODUCTION or _env_bool("KEYWORKER_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # __Host- cookies: only over https, only for this exact host, path / (no Domain attribute).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's plain-http health check gets its answer
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if _env_bool("KEYWORKER_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): no inline script or style anywhere. The one inline script GOV.UK's
# Jinja page template writes ("js-enabled") carries the per-request nonce; allauth's pages load it from a file.
# The API's Swagger UI (/api/v1/docs) works under the same policy (checked in Chromium, e2e/test_mfa.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
STATICFILES_DIRS = [PROJECT_DIR / "frontend" / "dist"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

if os.environ.get("KEYWORKER_EMAIL_TO_FILES") == "1":
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("KEYWORKER_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEYWORKER_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("KEYWORKER_FROM_EMAIL", "keyworker@localhost")
KEYWORKER_SITE_URL = os.environ.get("KEYWORKER_SITE_URL", "").rstrip("/")
# The charity's name on letters (letterhead, signature) and funder reports; outcomes/letter_default.py has the
# stand-in used until it is set.
KEYWORKER_ORGANISATION_NAME = os.environ.get("KEYWORKER_ORGANISATION_NAME", "").strip()

# Background jobs (reminders, lone-working escalation): django-tasks with its database backend; a worker
# (`keyworker db_worker`) runs them. docs/decisions/0021-background-jobs.md
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEYWORKER_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
