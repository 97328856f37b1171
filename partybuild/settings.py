"""Settings, read from the environment.

With nothing set the portal runs embedded: SQLite, Celery tasks run eagerly in-process and a local
memory cache. `DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to a Redis broker and cache, and
`DJANGO_ENV=production` turns on the checks a public deployment needs.
"""

import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_networks, env_str
from partybuild.frontend import VENDOR

BASE_DIR = Path(__file__).resolve().parent.parent
# The project-wide templates, static files, translations and front-end packages: at the top of a
# checkout, inside the package when installed from a wheel (setup.py copies them there).
_SHIPPED = Path(__file__).resolve().parent / "shipped"
INSTALLED_FROM_WHEEL = _SHIPPED.is_dir()
SITE_DIR = _SHIPPED if INSTALLED_FROM_WHEEL else BASE_DIR

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={DJANGO_ENV!r}: use 'development' or 'production'")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if PRODUCTION:
        if len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 5:
            raise ImproperlyConfigured(
                "Production needs SECRET_KEY: at least 50 random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(64))')"
            )
        return key
    if key:
        return key
    # A development machine keeps its own random key, so no key is ever committed.
    path = BASE_DIR / ".dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "partybuild",
    "organizations",
    "signon",
    "assessment",
    "rectification",
    "records",
    "standards",
    "business",
    "dashboards",
    "reports",
    "audit",
    "auditing",
    "credentials",
]

MIDDLEWARE = [
    # First: they time and count every response and give it the request id (docs/monitoring.md).
    "core.metrics.MetricsMiddleware",
    "core.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After Locale: it answers in the reader's language.
    "core.input_guard.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session entered a second-factor code, then the gate for administrators.
    "django_otp.middleware.OTPMiddleware",
    "credentials.middleware.SecondFactorMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partybuild.urls"
WSGI_APPLICATION = "partybuild.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "partybuild.context_processors.navigation",
                "assessment.context_processors.unread_notices",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets pages read while the worker writes; a writer waits for another
                # (busy timeout, seconds) instead of failing, and takes the write lock when its
                # transaction begins, so two transactions never deadlock upgrading a read lock.
                "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30),
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Redis errors are cache misses (core/cache.py): without Redis the portal is slower,
    # never down; the short timeouts keep a hung Redis from holding requests.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "partybuild",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# API tokens work for this many days after they are issued (docs/api.md).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be at least 1")
# Administrators (superusers, staff, the administrator role) enter a code from an authenticator
# app after their password: on by default in production (docs/security.md).
REQUIRE_ADMIN_2FA = env_bool("REQUIRE_ADMIN_2FA", PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "partybuild")

# Repeated login failures lock the username from that address for a while, and many failures
# from one address, whatever the usernames, lock the address (django-axes, in the database;
# core/signin_limits.py).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "core.signin_limits.SignInLimitsHandler"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip"

# Directory sign-on (docs/sign-on.md). LDAP / Active Directory when LDAP_URL is set (one URL, or
# several separated by spaces, tried in order), OpenID Connect when OIDC_RP_CLIENT_ID is set. Both
# come after ModelBackend: local accounts (administrators') sign in without the directory.
LDAP_URL = env_str("LDAP_URL")
LDAP_BIND_DN = env_str("LDAP_BIND_DN")  # the search account; empty: an anonymous search
LDAP_BIND_PASSWORD = env_str("LDAP_BIND_PASSWORD")
LDAP_USER_BASE = env_str("LDAP_USER_BASE")
LDAP_USER_FILTER = env_str("LDAP_USER_FILTER", "(uid=%(user)s)")  # AD: (sAMAccountName=%(user)s)
LDAP_EMPLOYEE_NUMBER_ATTR = env_str("LDAP_EMPLOYEE_NUMBER_ATTR", "employeeNumber")
LDAP_NAME_ATTR = env_str("LDAP_NAME_ATTR", "displayName")
LDAP_EMAIL_ATTR = env_str("LDAP_EMAIL_ATTR", "mail")
LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
LDAP_CA_FILE = env_str("LDAP_CA_FILE")  # empty: the system's certificate authorities
LDAP_TIMEOUT = env_int("LDAP_TIMEOUT", 5)  # seconds, to connect and for each answer
LDAP_DISABLED_FILTER = env_str("LDAP_DISABLED_FILTER")  # an entry matching it cannot sign in
LDAP_GROUP_BASE = env_str("LDAP_GROUP_BASE")
LDAP_GROUP_FILTER = env_str("LDAP_GROUP_FILTER", "(|(member=%(dn)s)(uniqueMember=%(dn)s))")
LDAP_GROUP_ROLES = env_str("LDAP_GROUP_ROLES")  # JSON: {"<group DN>": "reviewer" | "auditor@G"}
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_EMPLOYEE_NUMBER_CLAIM = env_str("OIDC_EMPLOYEE_NUMBER_CLAIM", "employee_number")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_ROLES = env_str("OIDC_GROUP_ROLES")  # JSON, as LDAP_GROUP_ROLES, by group name
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME")  # the login page's button
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# mozilla-django-oidc redirects there as it is, unresolved: a path, not a URL name; the login
# page says why the provider's sign-in was not taken.
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=refused"
if OIDC_RP_CLIENT_ID and not (
    OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_USER_ENDPOINT
):
    raise ImproperlyConfigured(
        "OIDC_RP_CLIENT_ID is set: OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT and "
        "OIDC_OP_USER_ENDPOINT must be too"
    )
if LDAP_URL:
    AUTHENTICATION_BACKENDS.append("signon.backends.LdapBackend")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("signon.backends.OidcBackend")

# Proxies (addresses or networks) whose X-Forwarded-For is believed, for sign-in limits and the
# audit trail alike; none by default, so the client is REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES") or env_list("AUDIT_TRUSTED_PROXIES")
if env_str("PROXY_COUNT"):
    raise ImproperlyConfigured(
        "PROXY_COUNT is no longer read: set TRUSTED_PROXIES to the proxies' addresses or networks"
    )

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Front-end packages come from npm at set-up (`make assets`) and are served by the portal itself.
_NODE = SITE_DIR / "node_modules"
STATICFILES_DIRS = [
    SITE_DIR / "static",
    *((prefix, _NODE / folder) for prefix, (folder, _files) in VENDOR.items()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "core.staticfiles.GzipManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
if PRODUCTION and INSTALLED_FROM_WHEEL and not (env_str("MEDIA_ROOT") and env_str("STATIC_ROOT")):
    # Their defaults would be inside site-packages, lost at the next upgrade.
    raise ImproperlyConfigured("An installed portal needs MEDIA_ROOT and STATIC_ROOT (folders)")
# Stored files (evidence, attachments, reports) leave through nginx when set: the portal checks the
# scope and answers `X-Accel-Redirect: <prefix>/<file>`, nginx's internal location over MEDIA_ROOT
# serves the bytes (core/downloads.py, deploy/nginx/partybuild.conf). Off: the portal streams them.
PROTECTED_DOWNLOAD_PREFIX = env_str("PROTECTED_DOWNLOAD_PREFIX", "")
if PROTECTED_DOWNLOAD_PREFIX and not PROTECTED_DOWNLOAD_PREFIX.startswith("/"):
    raise ImproperlyConfigured("PROTECTED_DOWNLOAD_PREFIX must be a path starting with /")

# Uploads: imports and evidence files are refused above this size (bytes).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "credentials.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {"token": env_str("TOKEN_THROTTLE_RATE", "10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "partybuild API",
    "DESCRIPTION": "Party-building quantified assessment portal. Every endpoint is scoped to the "
    "organizations the caller's roles cover; anything outside is 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would call swagger.io from an offline intranet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several serializers share these choice sets; name each enum once.
    "ENUM_NAME_OVERRIDES": {
        "PeriodKindEnum": "assessment.choices.PeriodKind",
        "PeriodStatusEnum": "assessment.choices.PeriodStatus",
        "SubmissionStateEnum": "assessment.choices.SubmissionState",
        "RectificationStateEnum": "rectification.models.Rectification.State",
        "SourceEnum": "rectification.models.Rectification.Source",
        "RecordSourceEnum": "records.choices.Source",
        "StudyKindEnum": "records.choices.StudyKind",
        "PointsKindEnum": "records.choices.PointsKind",
        "ProposalKindEnum": "records.api.ledgers.PROPOSAL_KINDS",
        "DecisionEnum": "standards.choices.Decision",
        "AppraisalStateEnum": "standards.choices.AppraisalState",
        "ReportStateEnum": "standards.choices.ReportState",
        "LanguageEnum": LANGUAGES,
    },
}

# Celery: a Redis broker when REDIS_URL is set. Otherwise messages are files in a folder (kombu's
# filesystem transport, no server) and `make run` starts a worker beside the web server, so a long
# job never runs inside a request in any configuration. Eager mode is for tests and benchmarks.
# (The host part means nothing to the file transport; naming one keeps kombu from warning.)
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
BROKER_DIR = Path(env_str("BROKER_DIR", str(BASE_DIR / "var" / "broker")))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis delivers an unacknowledged task again after this many seconds. Every task's time limit,
# countdown and retry stays below it, or a task still running would be delivered twice; a task
# whose worker died is recovered sooner by the reaper (JOB_* below, docs/operations.md).
BROKER_VISIBILITY_TIMEOUT = 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.5,
    }
CELERY_TASK_DEFAULT_QUEUE = "default"
# Extra modules a worker imports at start (comma-separated), beside the apps' tasks.
CELERY_IMPORTS = env_list("CELERY_IMPORTS")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "assessment.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Member points of this month and the last, before the scores that count them.
    "points-nightly": {
        "task": "records.count_points",
        "schedule": crontab(hour=2, minute=0),
    },
    "records-recount-nightly": {
        "task": "assessment.recount_open_periods",
        "schedule": crontab(hour=2, minute=15),
    },
    "scores-nightly": {
        "task": "assessment.recompute_open_periods",
        "schedule": crontab(hour=2, minute=30),
    },
    "rectification-overdue": {
        "task": "rectification.flag_overdue",
        "schedule": crontab(hour=8, minute=10),
    },
    "meeting-reminders": {
        "task": "records.send_meeting_reminders",
        "schedule": crontab(hour=8, minute=20),
    },
    "reports-scheduled": {
        "task": "reports.run_schedules",
        "schedule": crontab(minute="*/15"),
    },
    "audit-verify": {
        "task": "audit.verify_chain",
        "schedule": crontab(hour=3, minute=15),
    },
    "reap-stale-jobs": {
        "task": "partybuild.reap_stale_jobs",
        "schedule": 60.0,
    },
    # The beat's tick and the worker's heartbeat, which /healthz and /metrics report.
    "heartbeat": {
        "task": "partybuild.heartbeat",
        "schedule": 60.0,
    },
}
# Long jobs (core.jobs): a running job beats every JOB_HEARTBEAT_EVERY seconds; one silent
# for JOB_STALE_AFTER seconds is presumed dead and started again, or failed after
# JOB_MAX_ATTEMPTS attempts. The stale limit is the score runs' lease too.
JOB_HEARTBEAT_EVERY = env_int("JOB_HEARTBEAT_EVERY", 30)
JOB_STALE_AFTER = env_int("JOB_STALE_AFTER", 180)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
if not 0 < JOB_HEARTBEAT_EVERY * 3 <= JOB_STALE_AFTER < BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "JOB_STALE_AFTER must allow three heartbeats (JOB_HEARTBEAT_EVERY) and stay below the "
        "broker's visibility timeout"
    )
if JOB_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("JOB_MAX_ATTEMPTS must be at least 1")
# Report generation on its own queue when set (workers started with -Q <name> take it);
# by default it shares the default queue with everything else.
CELERY_REPORTS_QUEUE = env_str("CELERY_REPORTS_QUEUE", "")
if CELERY_REPORTS_QUEUE:
    CELERY_TASK_ROUTES = {"reports.generate": {"queue": CELERY_REPORTS_QUEUE}}
# Peer ranks across the whole period are refreshed at most this often (seconds) after approvals.
SCORES_PEER_RANK_DELAY = env_int("SCORES_PEER_RANK_DELAY", 60)
# The top dashboards' aggregates are computed into the cache after every roll-up
# (dashboards/warming.py): on where the cache is shared (Redis), where workers' results are read.
DASHBOARDS_WARM = env_bool("DASHBOARDS_WARM", bool(REDIS_URL))

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "partybuild@localhost")
# The group's mail relay, for the SMTP backend (reminders, returned submissions, reports ready).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: choose one")

DEMO_PASSWORD = "partybuild-demo"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, style sheets, fonts and images from the portal
# only, no inline script and no eval. Inline style *attributes* are allowed: server-rendered
# progress bars and the charts (ECharts' SVG) set them, and they cannot run code; <style>
# elements are refused. See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# JSON lines for a log shipper, or plain text; both carry the request id (docs/monitoring.md).
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use 'json' or 'text'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {"()": "core.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The PDF libraries log every layout step and font table (thousands of lines a report):
    # their warnings are kept, the rest would drown the portal's own log.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The portal's address as users reach it, for links in e-mails ("" gives paths only).
PORTAL_URL = env_str("PORTAL_URL", "")
# Rectification items are due this many days after they open.
RECTIFICATION_DUE_DAYS = env_int("RECTIFICATION_DUE_DAYS", 60)
# From this day of the month on, branches that have not yet held a meeting the framework asks
# for every month are reminded (once per branch, kind and month; docs/guide-reviewer.md).
RECORDS_REMINDER_DAY = env_int("RECORDS_REMINDER_DAY", 20)
if not 1 <= RECORDS_REMINDER_DAY <= 28:
    raise ImproperlyConfigured("RECORDS_REMINDER_DAY must be a day of every month (1 to 28)")
# The most audit entries one Excel export holds (the CSV export streams any number).
AUDIT_XLSX_MAX_ROWS = env_int("AUDIT_XLSX_MAX_ROWS", 20000)
# The largest file the report verification page reads.
REPORTS_VERIFY_MAX_BYTES = env_int("REPORTS_VERIFY_MAX_BYTES", 1024 * 1024 * 1024)
# The PDF reports' font files (Noto Sans CJK SC from npm, `make assets`); see docs/operations.md.
REPORTS_FONT_DIR = env_str("REPORTS_FONT_DIR", str(_NODE / "@embedpdf" / "fonts-sc" / "fonts"))
# Addresses or networks (monitoring) that see /healthz's details, like staff sessions do.
HEALTHZ_ALLOWED_IPS = env_networks("HEALTHZ_ALLOWED_IPS")
# Addresses or networks (the Prometheus server) that may read /metrics; anyone else gets a 404.
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS")
# Under gunicorn, the folder where each process keeps its counts for /metrics to add up (read by
# prometheus_client itself from the environment; docs/monitoring.md).
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")
# The beat ticks and the worker beats every minute; older than this (seconds), /healthz calls
# them stale.
HEARTBEAT_STALE_AFTER = env_int("HEARTBEAT_STALE_AFTER", 300)
if HEARTBEAT_STALE_AFTER < 120:
    raise ImproperlyConfigured("HEARTBEAT_STALE_AFTER must be at least 120 (two beats)")
