"""Settings for Kehui Carbon, read from environment variables (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is false. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Development only: a fixed, clearly-labelled key so sessions survive restarts.
    SECRET_KEY = "django-insecure-kehui-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "import_export",
    # Login brute-force protection: failed attempts are stored in the database.
    "axes",
    # The task queue, in the same database (django.tasks' backend): no broker to run.
    "django_tasks_db",
    "emissions.jobs",
    "emissions.facilities",
    "emissions.factors",
    "emissions.suppliers",
    "emissions.activities",
    "emissions.evidence",
    "emissions.offsets",
    "emissions.neutrality",
    "emissions.products",
    "emissions.planning",
    # The role groups (Viewer, Data editor, Approver, Administrator) over all of the above.
    "emissions.roles",
    "emissions.dashboard",
]

# Long work (recalculations) runs as jobs in a worker process: `manage.py db_worker`, started
# by `make run` beside the server and by docker-compose's `worker` service. Under pytest the
# immediate backend runs each job where it is queued, so tests stay deterministic; the worker
# itself is tested with the database backend (tests/jobs/test_worker.py).
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get(
    "TASKS_BACKEND", "immediate" if os.environ.get("PYTEST_VERSION") else "database"
)
if _tasks_backend not in TASKS_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}, not {_tasks_backend!r}."
    )
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[_tasks_backend]}}
# An import commit of more rows than this runs as a job (100,000 rows take about 6 s in the
# request; a million would outlast gunicorn's timeout); smaller ones commit in the request.
IMPORT_JOB_ROWS = env_int("IMPORT_JOB_ROWS", 5000)
# A ledger export of more records than this is written by a job (a million streamed rows would
# outlast gunicorn's timeout); its file is kept for download EXPORT_KEEP_HOURS, then purged.
EXPORT_JOB_ROWS = env_int("EXPORT_JOB_ROWS", 100_000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
# Suppliers answer data requests through a link that expires after this many days; a reminder
# goes out SUPPLIER_REMINDER_DAYS before it expires.
SUPPLIER_LINK_DAYS = env_int("SUPPLIER_LINK_DAYS", 30)
SUPPLIER_REMINDER_DAYS = env_int("SUPPLIER_REMINDER_DAYS", 7)

# E-mail to suppliers (requests, reminders, thanks), through Django's MAILERS: by SMTP to
# EMAIL_HOST; without it, printed on the console in development (make run) and handed to the
# local mail server in production (docs/operations.md). Tests get the in-memory backend.
_email_host = os.environ.get("EMAIL_HOST", "")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "true").lower() == "true",
                "timeout": 30,
            },
        }
    }
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # Production without EMAIL_HOST: the local mail server (port 25), as Django's default.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kehui Carbon <carbon@localhost>")
# The address in the links mailed to suppliers (they are read outside any request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Pages and downloads are private to the logged-in user: Cache-Control: private, no-store
    # (static files never get this far: WhiteNoise has answered them).
    "kehui.middleware.private_no_store",
    # A NUL byte or non-UTF-8 bytes in the path or query string, and the like: a 400 page that
    # names the problem, before any view reads a parameter.
    "kehui.middleware.RefuseUnreadableRequests",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records which user made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kehui.urls"
WSGI_APPLICATION = "kehui.wsgi.application"
ASGI_APPLICATION = "kehui.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "emissions.dashboard.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL=postgres://… selects PostgreSQL (psycopg 3).
SQLITE_PATH = BASE_DIR / "var" / "kehui.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite:")):
        scheme = DATABASE_URL.split(":")[0]
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// (or sqlite:), not {scheme!r}."
        )
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    SQLITE_PATH.parent.mkdir(exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks for a lockout first; the model backend then authenticates.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kehui.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed (gzip + brotli) files with content-hashed names, served by WhiteNoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded evidence files (bills, invoice scans). Outside STATIC_ROOT and never served as
# static or media files: there is no MEDIA_URL route, only a permission-checked download view.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "var" / "media")
if not MEDIA_ROOT.is_absolute():
    raise ImproperlyConfigured(f"MEDIA_ROOT must be an absolute path, not {str(MEDIA_ROOT)!r}.")
# Readable by the app's own user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Content-Security-Policy: no inline scripts or styles anywhere; scripts need our nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Admin import/export (django-import-export): importing needs the add permission, exporting
# the view permission; exported cells that a spreadsheet would run as formulae are escaped.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Only temp-file names this server signed are read back (issue 15): see import_tmp_storage.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "emissions.import_tmp_storage.SignedTempFolderStorage"

# Security headers and cookies. HTTPS settings are on by default outside DEBUG;
# SECURE_SSL_REDIRECT can be switched off when a proxy in front already redirects.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Django's defaults, pinned: cookies go along on same-site requests and top-level links only,
# never on cross-site form posts (a second line of defence behind the CSRF token).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login brute-force protection (django-axes). After AXES_FAILURE_LIMIT failed logins for one
# username from one client IP, that pair is refused for AXES_COOLOFF_MINUTES (HTTP 429 and
# registration/locked_out.html); each further attempt during the lockout restarts the wait.
# Unlock early: python manage.py axes_reset_username <username>.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Keyed on username and IP together, so a stranger guessing passwords cannot lock a colleague
# out from another address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Lockouts are logged as warnings; the per-start banner and per-login info lines are noise.
AXES_VERBOSE = False
# The client IP is REMOTE_ADDR unless TRUSTED_PROXY_COUNT says how many reverse proxies in front
# of the app each append the address they saw to X-Forwarded-For. Then django-ipware takes the
# client from that header, and only when it has exactly that many entries: an address a client
# adds itself makes the chain too long and is not believed.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    # ipware counts the proxies listed in the header, i.e. all but the last one (REMOTE_ADDR).
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
