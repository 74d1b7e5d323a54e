"""Settings for the plenary commitment tracker, read from the environment.

Development defaults are safe: SQLite in the project folder, DEBUG off unless asked for. With DEBUG
off a SECRET_KEY must be given, and startup says so rather than running with a guessable key.

A deployment says so with DJANGO_ENV=production (tracker/wsgi.py sets it for every WSGI server
unless told otherwise). In production the development `.env` that `make` writes is never read,
DEBUG on refuses to start, and HTTPS, secure cookies and HSTS are on unless explicitly turned off.
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> None:
    """KEY=VALUE lines of a local .env (made by `make` for development) as defaults for the
    environment; the real environment always wins. Deployments set the environment instead."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, separator, value = line.strip().partition("=")
        if separator and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


ENVIRONMENT = os.environ.get("DJANGO_ENV", "development").strip().lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"
# The `.env` of a development checkout (DEBUG=true) must never reach a deployment started in the
# same folder: production takes its settings from the real environment only.
if not PRODUCTION:
    read_env_file(Path(os.environ.get("ENV_FILE", BASE_DIR / ".env")))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG is on with DJANGO_ENV=production. Debug pages show settings and source code to anyone: "
        "unset DEBUG (or set DEBUG=false) in the production environment."
    )

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "development-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tracker.admin_site.TrackerAdminConfig",  # django.contrib.admin, asking for two-factor sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER (a TemplatesSetting renderer)
    "django_filters",
    "django_tables2",
    "import_export",
    "simple_history",
    "tracker.admin_site.SignInRecordsConfig",  # axes
    "django_otp",
    "django_tasks_db",  # the database queue of background tasks, and its worker (manage.py db_worker)
    "tracker.admin_site.AuthenticatorsConfig",  # django_otp.plugins.otp_totp
    "tracker.admin_site.BackupCodesConfig",  # django_otp.plugins.otp_static
    "memoranda",
    "tracker",
]

# Select boxes drawn in Python, everything else by the templates (tracker/widgets.py says why).
FORM_RENDERER = "tracker.widgets.FormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tracker.middleware.RefuseNulInPath",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "tracker.middleware.NoStoreWhenSignedIn",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tracker.middleware.SessionTimeout",
    "tracker.middleware.TwoFactorRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees a failed login after every other middleware has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Production keeps each worker's connection for a minute (checked before reuse): opening
        # one per request held PostgreSQL to a third of SQLite's requests per second.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes share one SQLite file (the server's workers, the task worker): in WAL mode
    # a long read (an export of 100,000 rows) no longer stops every write until it ends, which
    # made the task worker fail with "database is locked"; a write waits its turn for up to 20 s
    # and takes its lock when its transaction begins, so two writers never deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while the sign-in policy (tracker/signin.py) holds it back (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The sign-in policy (README, "Sign-in and sessions"). Failed sign-ins are counted per account and
# address together, per address, and per account across all addresses, each with its own limit:
# How long counts over the whole database stay cached under one data version (tracker.aggregates); 0: never.
# Background tasks through Django's tasks API. By default they run in the process that asks
# (`make run` needs no worker); a deployment sets TASKS_BACKEND=django_tasks_db.DatabaseBackend
# and runs `manage.py db_worker`, the worker of the django-tasks-db package.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")}}
# Exports of more rows than this are written by the task worker, with progress shown, rather than
# while the browser waits; their files are kept this many hours.
EXPORT_IN_REQUEST_ROWS = int(os.environ.get("EXPORT_IN_REQUEST_ROWS", "5000"))
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "24"))
AGGREGATE_CACHE_SECONDS = int(os.environ.get("AGGREGATE_CACHE_SECONDS", "600"))
# Where: files that every worker process of this server reads, so a count computed by one worker
# serves them all (and survives a restart). Correctness never depends on the cache being shared:
# the data version is in the database.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "aggregates": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("AGGREGATE_CACHE_DIR", str(BASE_DIR / ".cache" / "aggregates")),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
SIGNIN_PAIR_LIMIT = int(os.environ.get("SIGNIN_PAIR_LIMIT", "5"))  # one account from one address →
SIGNIN_ADDRESS_LIMIT = int(os.environ.get("SIGNIN_ADDRESS_LIMIT", "30"))  # any accounts from one address →
SIGNIN_LOCK_MINUTES = int(os.environ.get("SIGNIN_LOCK_MINUTES", "15"))  # … locked this long
SIGNIN_ACCOUNT_LIMIT = int(os.environ.get("SIGNIN_ACCOUNT_LIMIT", "10"))  # one account, any address → slowed:
SIGNIN_ACCOUNT_WINDOW_HOURS = int(os.environ.get("SIGNIN_ACCOUNT_WINDOW_HOURS", "24"))
SIGNIN_DELAY_MAX_MINUTES = int(os.environ.get("SIGNIN_DELAY_MAX_MINUTES", "60"))  # 1, 2, 4 … minutes, at most this
# Behind a reverse proxy, how many proxies (each appending to X-Forwarded-For) stand in front of
# the application; 0 trusts no header and counts REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_HANDLER = "tracker.signin.SignInHandler"
AXES_CLIENT_IP_CALLABLE = "tracker.signin.client_ip_address"
AXES_USERNAME_CALLABLE = "tracker.signin.recorded_username"
AXES_LOCKOUT_CALLABLE = "tracker.signin.lockout_response"
# The policy above decides (tracker.signin.SignInHandler), not axes' single counter; axes records
# every attempt (AccessAttempt), failure (AccessFailureLog) and sign-in/out (AccessLog).
AXES_LOCK_OUT_AT_FAILURE = False
AXES_FAILURE_LIMIT = SIGNIN_PAIR_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = SIGNIN_ACCOUNT_WINDOW_HOURS  # hours an attempt record is kept after its last failure
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # an attempt refused unread is not a failure
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Two-factor sign-in (django-otp, TOTP) for administrators, coordinators and staff; off by default
# only in development, where the demo accounts sign in with a password alone.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Plenary commitment tracker")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # administrators reset a device, never read its secret
# Sessions end after this long without a request, and in any case this long after signing in.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for three hours

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Languages: the two sides of every mechanism read different scripts.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hant", _("Traditional Chinese")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["tracker.formats"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Hong_Kong")
USE_TZ = True
# django-filter's empty choice ("---------") in the reader's language.
FILTERS_EMPTY_CHOICE_LABEL = _("Any")
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not env_bool("PLAIN_STATIC_STORAGE")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: evidence files and memoranda are documents, not archives of everything.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The memorandum loader's preview posts about ten fields per item, and memoranda can be long.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50_000

# Links in e-mail point here when no request gives the address (scheduled reminders, e-mail sent by
# services). `make run` passes the address it serves as DEV_SERVER_URL, so links follow
# `make run PORT=…`; SITE_URL, from the environment or .env, always wins.
SITE_URL = (os.environ.get("SITE_URL") or os.environ.get("DEV_SERVER_URL") or "http://127.0.0.1:8000").rstrip("/")
REMINDER_DAYS_BEFORE = int(os.environ.get("REMINDER_DAYS_BEFORE", "7"))

# Email: printed to the console unless EMAIL_HOST names an SMTP server.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security headers. No script or style from anywhere but ourselves.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
# Production is served over HTTPS: redirect plain HTTP and tell browsers (HSTS) never to try it
# again. A development checkout on plain HTTP leaves them off; each can be set by the environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365) if PRODUCTION else "0"))
# Subdomains of the tracker's own host name (not of the department's domain) are ours too.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Preloading (security.W021) is for the owner of the whole domain to ask browsers for, not for
# one application on one host name of it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]


SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Everything goes to the console once, through the root logger. A refused request (403) is one line
# without a traceback: `django.request` says what was refused and why, and runserver's access log
# leaves it out (tracker/log_filters.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "refusal_in_one_line": {"()": "tracker.log_filters.RefusalInOneLine"},
        "refusal_logged_by_django": {"()": "tracker.log_filters.RefusalLoggedByDjango"},
    },
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default logging gives "django" a console handler of its own (with DEBUG on), on
        # top of the root's: every warning, traceback and all, was printed twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["refusal_in_one_line"]},
        "django.security.csrf": {"filters": ["refusal_in_one_line"]},
        "django.server": {"handlers": ["django.server"], "filters": ["refusal_logged_by_django"], "level": "INFO", "propagate": False},
        # WeasyPrint narrates every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
        # axes warns of every failed sign-in; tracker.signin already writes one line for each.
        "axes": {"level": "ERROR"},
    },
}
