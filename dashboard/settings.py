"""Jobdeck settings: one file, every value from the environment (12-factor).

The defaults are production's: DEBUG off, no key of any kind, the real Tencent Cloud endpoints
only. `make demo` opts into its own (dashboard/demo.py: DEBUG, the emulator and its demo key
pair) and the tests into theirs (tests/settings.py). Without REDIS_URL the project starts an
embedded Valkey; without DATABASE_URL it uses a SQLite file. Every variable is explained in
`.env.example`.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from dashboard.env import env_bool, env_choice, env_float, env_int, env_list, env_str
from dashboard.envdb import database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
# Published in this repository, so it protects nothing: only a DEBUG process (the demo) falls
# back to it. Outside DEBUG the web, worker and beat refuse to start without a key of their own
# (dashboard/startup.py).
DEMO_SECRET_KEY = "jobdeck-insecure-demo-key-change-me-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or (DEMO_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "dashboard",
    "apps.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "apps.cloud",
    "apps.sync",
    "apps.batch",
    "apps.ui",
    "apps.omics",
    "apps.audit",
    "apps.actions",
    "apps.emulator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dashboard.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a sign-in, except the views marked @login_not_required (health checks,
    # the sign-in page itself).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The signed-in person's language and time zone (their preferences, else their team's zone).
    "apps.accounts.preferences.PreferencesMiddleware",
    # A locked or restarting database answers 503 with Retry-After, not 500.
    "dashboard.database_busy.DatabaseBusyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the page as rendered: controls and bidi overrides from the cloud's text
    # are shown as visible stand-ins, never passed to the browser (apps/ui/visible.py).
    "apps.ui.visible.VisibleControlsMiddleware",
]

ROOT_URLCONF = "dashboard.urls"

# --- Browser security ----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind HTTPS (production) set these true: cookies then never travel over plain HTTP.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
# Only when every subdomain is served over HTTPS too; preload asks browsers to hard-code it.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The probes of the container and the scraper ask over plain HTTP from inside (docker-compose.yml).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# A proxy that terminates TLS says so in this header (e.g. X-Forwarded-Proto).
# It also gives the client's address (the last X-Forwarded-For entry, dashboard/proxy.py).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.sync.redis_health.infrastructure",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", ""), sqlite_default=BASE_DIR / "db.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Django's backend behind the sign-in lockout (apps/accounts/lockout.py), so every way in
# (the sign-in page, the admin, any authenticate() call) is throttled alike.
AUTHENTICATION_BACKENDS = ["apps.accounts.backends.LockoutModelBackend"]
# Failed sign-ins within SIGNIN_LOCK_SECONDS that lock a username (from anywhere) out, and the
# higher number that locks an address (many names guessed from it; one user's typos must not
# lock out everyone behind the same proxy).
SIGNIN_MAX_FAILURES = env_int("SIGNIN_MAX_FAILURES", 5)
SIGNIN_ADDRESS_MAX_FAILURES = env_int("SIGNIN_ADDRESS_MAX_FAILURES", 50)
SIGNIN_LOCK_SECONDS = env_int("SIGNIN_LOCK_SECONDS", 15 * 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# The interface speaks English and Simplified Chinese. A person's own choice (their
# preferences) wins, then the language cookie the header's switcher sets before sign-in, then
# the browser's Accept-Language, then LANGUAGE_CODE (apps/accounts/preferences.py).
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", ("en", "zh-hans"))
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 86400
# Times are stored in UTC and shown in the person's zone, else their team's, else this one.
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Without `collectstatic` (the demo, the tests) WhiteNoise serves the files where they are.
WHITENOISE_USE_FINDERS = True

# --- Redis: broker, cache and rate-limiter store -------------------------------------------
# When REDIS_URL is unset the project starts an embedded Valkey on this port (demo and tests).
EMBEDDED_REDIS_PORT = env_int("EMBEDDED_REDIS_PORT", 6391)
EMBEDDED_REDIS = env_str("REDIS_URL", "") == ""
REDIS_URL = env_str("REDIS_URL", "") or f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Operator actions have their own queue; workers consume it first (`-Q actions,celery`).
CELERY_TASK_ROUTES = {"apps.actions.tasks.*": {"queue": "actions"}}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A backstop: every step makes at most one cloud call, bounded by the client's timeouts, so a
# task this slow is stuck (a lock, a bug). The soft limit raises inside it; the hard one kills
# the pool process. Either way the chain is taken up again (planner, resume_operations).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90)
# Beat entries expire before their next run, so a stalled worker never works off a backlog.
CELERY_BEAT_SCHEDULE = {
    # Starts the sync streams nobody runs (first start, or a worker died holding one).
    "sync-plan": {
        "task": "apps.sync.tasks.plan",
        "schedule": 5.0,
        "options": {"expires": 4.0},
    },
    # Takes over operations whose next step is overdue (their worker died with the message).
    "resume-operations": {
        "task": "apps.actions.tasks.resume_operations",
        "schedule": 30.0,
        "options": {"expires": 25.0},
    },
    "optimize-database": {
        "task": "apps.sync.tasks.optimize_database",
        "schedule": 600.0,
        "options": {"expires": 300.0},
    },
}

# A sync stream's lease: a worker that dies holding it delays the stream by at most this long
# (the planner starts it again); every step extends it.
SYNC_LOCK_TTL_S = env_int("SYNC_LOCK_TTL_S", 60)
# The planner starts at most this many streams per account each tick (5 s), accounts in turn:
# an account with many regions (12 streams each) cannot bury the others' under its own.
SYNC_PLAN_STARTS_PER_ACCOUNT = env_int("SYNC_PLAN_STARTS_PER_ACCOUNT", 24)

# --- Tencent Cloud --------------------------------------------------------------------------
# The names the official tools use. When both are set, a "default" account is created from them
# (the demo sets the emulator's key pair).
TENCENTCLOUD_SECRET_ID = env_str("TENCENTCLOUD_SECRET_ID", "")
TENCENTCLOUD_SECRET_KEY = env_str("TENCENTCLOUD_SECRET_KEY", "")
# A temporary key pair's token (STS; tccli and the SDK read the same name) and when it stops
# working, ISO 8601 (e.g. 2026-12-02T08:00:00Z; empty: not known).
TENCENTCLOUD_TOKEN = env_str("TENCENTCLOUD_TOKEN", "")
TENCENTCLOUD_TOKEN_EXPIRES_AT = env_str("TENCENTCLOUD_TOKEN_EXPIRES_AT", "")
TENCENTCLOUD_REGION = env_str("TENCENTCLOUD_REGION", "ap-guangzhou")
# Empty means the real endpoints (<service>.<region>.tencentcloudapi.com).
TENCENTCLOUD_ENDPOINT = env_str("TENCENTCLOUD_ENDPOINT", "")
# The workers post signed requests only to https://*.tencentcloudapi.com, and to these
# (scheme://host[:port], comma-separated; without a port every port of the host): the demo's and
# the tests' emulator. Only the deployment sets it, never a user (apps/cloud/endpoints.py).
CLOUD_ALLOW_CUSTOM_ENDPOINTS = env_list("CLOUD_ALLOW_CUSTOM_ENDPOINTS", [])
CLOUD_CONNECT_TIMEOUT = env_float("CLOUD_CONNECT_TIMEOUT", 3.0)
# Seconds before a temporary key pair's expiry when the account pages start to warn of it.
CLOUD_TOKEN_WARN_BEFORE = env_int("CLOUD_TOKEN_WARN_BEFORE", 3600)
# Multiplies every documented limit. Keep 1.0 against the real cloud; the tests raise it
# against the emulator (whose limits they switch off) so a sync takes seconds, not minutes.
CLOUD_RATE_SCALE = env_float("CLOUD_RATE_SCALE", 1.0)
CLOUD_READ_TIMEOUT = env_float("CLOUD_READ_TIMEOUT", 10.0)
# The language of the cloud's messages (X-TC-Language) in the sync engine's own calls; a call
# made for a person sends theirs (apps/cloud/language.py). The doc's only two values.
CLOUD_LANGUAGE = env_choice("CLOUD_LANGUAGE", "en-US", ("zh-CN", "en-US"))
# An action's call still unanswered after this long was lost with its worker: its outcome is
# recorded as unknown (never sent again). One attempt within the timeouts, with a margin.
ACTION_SEND_LEASE_S = env_float(
    "ACTION_SEND_LEASE_S", CLOUD_CONNECT_TIMEOUT + CLOUD_READ_TIMEOUT + 30.0
)
# An operation whose next step is this late was lost with its worker: a new chain takes over.
ACTION_OVERDUE_S = env_float("ACTION_OVERDUE_S", 60.0)
# A call the cloud refused with RequestLimitExceeded (another client spent the budget) was not
# performed: it is sent again, behind the limiter, at most this many times, then it fails.
ACTION_RATE_LIMITED_REQUEUES = env_int("ACTION_RATE_LIMITED_REQUEUES", 5)

# --- Observability --------------------------------------------------------------------------
# /metrics answers only these addresses, and only with this bearer token (without DEBUG, not at
# all until it is set: behind a proxy on the same host every client looks like 127.0.0.1).
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- Sync engine --------------------------------------------------------------------------
# The modules whose streams the workers run (bench/freshness.py swaps in a naive planner).
SYNC_STREAM_MODULES = env_list("SYNC_STREAM_MODULES", ["apps.batch.sync", "apps.omics.sync"])
# The detail queues live in Redis, the objects they serve in the database: every this many
# seconds (and at once after Redis lost them) the queues are rebuilt from what the database
# holds as not finally synced, so a flushed or restarted Redis converges.
SYNC_QUEUE_REBUILD_S = env_int("SYNC_QUEUE_REBUILD_S", 60)

# --- Emulator ------------------------------------------------------------------------------
EMULATOR_PORT = env_int("EMULATOR_PORT", 9100)
EMULATOR_SCENARIO = env_str("EMULATOR_SCENARIO", "demo")
EMULATOR_SEED = env_int("EMULATOR_SEED", 1)
EMULATOR_SPEED = env_float("EMULATOR_SPEED", 1.0)

LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "dashboard.jsonlog.JsonFormatter"},
    },
    # LOG_FORMAT=json: one JSON object per line (with the cloud's RequestId on call lines).
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Secrets at rest -----------------------------------------------------------------------
# A Fernet key (base64, 32 bytes) that encrypts the cloud accounts' SecretKeys. Required outside
# DEBUG; a DEBUG process (the demo) without one derives it from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")
# Each account's default share of every documented rate limit (the rest is left to the
# account's other clients, e.g. the team's own pipelines).
CLOUD_DEFAULT_BUDGET_SHARE = env_float("CLOUD_DEFAULT_BUDGET_SHARE", 0.5)
