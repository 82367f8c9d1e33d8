"""Greenroom settings, read from the environment with defaults that work on a laptop.

With nothing set, Greenroom runs on a SQLite file and a file-system message broker under ``var/``,
so one command gives a working portal with real background jobs. Production sets ``DATABASE_URL``
(PostgreSQL) and ``REDIS_URL``. Every variable is listed in the README.
"""

import importlib.util
import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.conf import apps as app_settings
from portal.conf.schedule import beat_schedule
from portal.env import env_bool, env_int, env_list, env_str
from portal.plugins import plugin_apps
from portal.sso import social_providers

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("GREENROOM_DATA_DIR", str(BASE_DIR / "var"))).resolve()
# The SQLite file, the file-system broker and the git cache live here; create it on first use.
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# Served over HTTPS (usually behind a TLS-terminating proxy or ingress): secure cookies, redirects
# to https and HSTS. Off by default so the laptop portal works on http://127.0.0.1.
HTTPS = env_bool("GREENROOM_HTTPS", False)
# A fixed development key is only acceptable on a laptop; `manage.py check --deploy` flags it, and a
# portal served over HTTPS refuses to start without SECRET_KEY (secrets come from the environment only).
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if HTTPS:
        raise ImproperlyConfigured("GREENROOM_HTTPS is on but SECRET_KEY is not set: set a long random SECRET_KEY")
    SECRET_KEY = "greenroom-insecure-development-key-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Probes and scrapers reach the pod over plain HTTP; they must get an answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# The header the TLS-terminating proxy sets; trusted only when the proxy overwrites what clients send.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto" if HTTPS else "")
if _proxy_ssl_header and _proxy_ssl_header.lower() != "none":
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.gitlab",
    "allauth.socialaccount.providers.google",
    "portal",
    "catalog",
    "scaffolder",
    "techdocs",
    "techradar",
    "soundcheck",
]
# The benchmark commands (benchmarks/, docs/architecture.md) exist only in a source checkout: the
# installed package and the image leave them out, and a stray top-level "benchmarks" elsewhere is not them.
_benchmarks = importlib.util.find_spec("benchmarks")
if _benchmarks and _benchmarks.origin and Path(_benchmarks.origin).resolve().parent == BASE_DIR / "benchmarks":
    INSTALLED_APPS.append("benchmarks")
# Plugins (docs/plugins.md): packages with a `greenroom.plugins` entry point, and those named here.
INSTALLED_APPS += plugin_apps(env_list("GREENROOM_PLUGINS", []), installed=INSTALLED_APPS)

MIDDLEWARE = [
    # First, so it times and counts every request, including those a later middleware answers.
    "portal.ops.middleware.MetricsMiddleware",
    # Next, so every log line of the request, and every job it starts, carries its id.
    "portal.ops.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files from the WSGI process itself: no extra web server to set up.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's own session and CSRF middleware (the deploy checks look for these exact paths; for a
    # token call they touch nothing: the session is never read, DRF's views are CSRF-exempt). The
    # authentication and message middleware are passed straight through by a token call to the API
    # (portal.api.token_calls).
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.api.token_calls.AuthenticationMiddleware",
    "portal.api.token_calls.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy and the remaining security headers (portal.security_headers; SECURITY.md).
    "portal.security_headers.SecurityHeadersMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A NUL in a path parameter or the query string is a 400 before any view queries with it.
    "portal.api.request_checks.RequestParameterMiddleware",
    # After authentication: makes each request the actor of the writes it causes (portal.audit).
    "portal.audit.AuditActorMiddleware",
]

# --- Security headers (SECURITY.md) --------------------------------------------------------------
# Django's SecurityMiddleware: nosniff, the Referrer-Policy, and COOP; clickjacking: DENY.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Directives that replace portal.security_headers.DEFAULT_POLICY's, e.g. {"img-src": "'self' https:"}.
CONTENT_SECURITY_POLICY: dict[str, str] = json.loads(env_str("CONTENT_SECURITY_POLICY", "{}"))
# HTTPS, secure cookies, HSTS and CSRF_TRUSTED_ORIGINS are set from GREENROOM_HTTPS at the top.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

ROOT_URLCONF = "portal.urls"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
                "portal.context_processors.sign_in",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'greenroom.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # On by default: a reused connection is tested (SELECT 1, one round trip) before a request or a
        # job first uses it. Without it, after a database restart the first request of every web
        # thread fails, and so does the first job of every worker process, which loses that job.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share the file: WAL lets readers run beside a writer, and
    # IMMEDIATE transactions make writers queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so a Celery worker started by the tests sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-greenroom.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Bounds how long a request (and /readyz) waits for a database that is down or unreachable.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The image collects static files into itself (GREENROOM_STATIC_ROOT), outside the data volume.
STATIC_ROOT = Path(env_str("GREENROOM_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request while it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# LOG_FORMAT=json: one JSON object per line (portal.ops.logging); every line carries the request id.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"environment variable LOG_FORMAT={LOG_FORMAT!r} must be 'text' or 'json'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.ops.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.ops.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Sign-in (django-allauth; docs/sign-in.md) -----------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Local accounts sign in with username or email. Sign-up is closed unless SIGN_UP_OPEN: accounts
# are made by admins, or on first single sign-on (SSO_SIGN_UP_OPEN, on by default).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "none")
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "portal.adapters.SocialAccountAdapter"
SIGN_UP_OPEN = env_bool("SIGN_UP_OPEN", False)
SSO_SIGN_UP_OPEN = env_bool("SSO_SIGN_UP_OPEN", True)
# The provider's email is what resolves the account to its catalog User entity.
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = social_providers()
# Members of this Django group are platform admins, like superusers (portal.permissions).
PLATFORM_ADMIN_GROUP = env_str("PLATFORM_ADMIN_GROUP", "platform-admins")

# --- Background jobs -------------------------------------------------------------------------
# REDIS_URL selects Redis as broker; without it a file-system broker under var/ needs no server
# and is shared by the web process and the worker that `manage.py serve` starts.
REDIS_URL = env_str("REDIS_URL", "")
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Exchange tables; kombu's default is a folder in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "greenroom")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Workers and beat reconnect to a broker that went away for as long as it takes (Celery's default
# gives up after 100 tries, about an hour, and the worker exits); they also wait for it at start-up.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A job queued (in the database) this many seconds without starting is sent to the broker again by
# the re-dispatch sweepers: its message was never sent (broker down) or was lost (Redis restarted
# without persistence). Claims make a second message harmless (portal/jobs.py).
JOB_REDISPATCH_AFTER = env_int("JOB_REDISPATCH_AFTER", 300)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Workers log through LOGGING above (JSON lines with the job's request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Operations (docs/operations.md) ---------------------------------------------------------
# Seconds each /readyz check of the broker and storage may take (the database has its connect timeout).
HEALTH_CHECK_TIMEOUT = env_int("HEALTH_CHECK_TIMEOUT", 3)
# /metrics answers callers sending this bearer token, and callers on loopback unless that is turned off.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOW_LOOPBACK = env_bool("METRICS_ALLOW_LOOPBACK", True)
# A Celery worker serves its job metrics on this port (0: off); web processes use /metrics.
WORKER_METRICS_PORT = env_int("WORKER_METRICS_PORT", 0)
WORKER_METRICS_ADDRESS = env_str("WORKER_METRICS_ADDRESS", "127.0.0.1")

# --- Cache ------------------------------------------------------------------------------------
# Shared by web processes and workers: Redis when configured, else files under var/ (one machine).
if REDIS_URL:
    # A Redis outage turns the cache into an empty one (portal.cache) instead of failing every page.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": HEALTH_CHECK_TIMEOUT, "socket_timeout": HEALTH_CHECK_TIMEOUT},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Apps (portal/conf/apps.py) -------------------------------------------------------------------
# The counterpart of Backstage's `catalog:` app-config section. GREENROOM_CONFIG may name a YAML
# file in Backstage's app-config shape; its `catalog.locations`, `catalog.rules` and `integrations`
# are read (portal/app_config.py, docs/app-config.md).
GREENROOM_CONFIG_FILE = env_str("GREENROOM_CONFIG", "")
CATALOG = app_settings.catalog(DATA_DIR)
TECH_RADAR = app_settings.tech_radar()
SOUNDCHECK_REMINDERS = app_settings.soundcheck_reminders()
SOUNDCHECK = app_settings.soundcheck()
SCAFFOLDER = app_settings.scaffolder(DATA_DIR)
TECHDOCS = app_settings.techdocs()
STORAGES["techdocs"] = app_settings.techdocs_storage(DATA_DIR)
# The periodic jobs (portal/conf/schedule.py).
CELERY_BEAT_SCHEDULE = beat_schedule(TECH_RADAR["SYNC_INTERVAL"])

# --- API -------------------------------------------------------------------------------------
# Anonymous callers may read the catalog API when this is on; writes always need a token.
API_ANONYMOUS_READ = env_bool("API_ANONYMOUS_READ", False)
# A token that passed its check is trusted again for this many seconds without a database query
# (per process). Revocations in another process take effect within this time; 0 turns it off.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 5)
# An annotation on catalog User entities that holds the sign-in username (e.g. github.com/user-login);
# without it, accounts resolve to their User entity by email, then by name (portal.identity).
IDENTITY_ANNOTATION = env_str("IDENTITY_ANNOTATION", "")
# Location types the API may register; Backstage allows only url by default, since a file
# location reads the server's own disk.
API_LOCATION_TYPES = env_list("API_LOCATION_TYPES", ["url"])
# Who may register a location on a host whose integration carries a credential (it is read with
# that credential, not the person's): "admins", "signed-in", or group names (catalog.credentialed_hosts).
CATALOG_CREDENTIALED_HOST_REGISTRATION = env_str("CATALOG_CREDENTIALED_HOST_REGISTRATION", "admins")
# Request bodies larger than this are refused with 413 before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", 2 * 1024 * 1024)
# Secret shared with the git forges' push webhooks (HMAC key, or GitLab's token); empty turns
# the webhook endpoint off (503).
CATALOG_WEBHOOK_SECRET = env_str("CATALOG_WEBHOOK_SECRET", "")
# Requests per period ("120/minute", "20/hour"; empty turns a limit off), counted in the cache.
RATE_LIMITS = {
    # Webhook deliveries per client address.
    "webhook": env_str("RATE_LIMIT_WEBHOOK", "600/minute"),
    # API tokens issued per person.
    "token": env_str("RATE_LIMIT_TOKEN", "20/hour"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.CatalogAccess"],
    # JSON with a depth limit and no unstorable strings (NUL, lone surrogates): 400, never a 500.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.CheckedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "portal.api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "portal.api.errors.backstage_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Greenroom API",
    "DESCRIPTION": "Backstage-compatible catalog API, plus Greenroom's owner lookup, history and webhooks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the portal's static files: the CSP allows no script from another origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Bearer tokens and Backstage-shaped error answers on every operation (portal.api.schema).
        "portal.api.schema.add_error_responses",
    ],
}
WHITENOISE_USE_FINDERS = True  # app static files are served even before collectstatic
# drf-spectacular runs its schema generation as a deploy check; its notes on hand-written APIViews
# (no serializer to guess, operationId suffixes) are about the OpenAPI document, not the deployment.
# `manage.py spectacular --validate` still prints them.
SILENCED_SYSTEM_CHECKS = ["drf_spectacular.W001", "drf_spectacular.W002"]
