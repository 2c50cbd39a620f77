"""The one settings module: every value comes from a ``LANTAI_*`` variable (see lantai.conf).

With nothing set, Lantai runs embedded: SQLite and local files under ``LANTAI_DATA_DIR``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lantai.conf import env_bool, env_int, env_list, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("LANTAI_DEBUG", False, "Django debug mode: tracebacks in pages. Never on a shared server.")

DATA_DIR = env_path(
    "LANTAI_DATA_DIR",
    Path.cwd() / "var",
    "Folder for the embedded database, stored objects, search index and temporary files.",
)

_INSECURE_KEY = "lantai-insecure-development-key-do-not-use"


def _secret_key() -> str:
    key = env_str("LANTAI_SECRET_KEY", "", "Django secret key. Without it, the key file is used.")
    if key:
        return key
    key_file = env_path(
        "LANTAI_SECRET_KEY_FILE",
        DATA_DIR / "secret_key",
        "File holding the secret key; `lantai init` creates it (mode 600) when missing.",
    )
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    if DEBUG:
        return _INSECURE_KEY
    raise ImproperlyConfigured(
        "LANTAI_SECRET_KEY is not set and no key file exists at "
        f"{key_file}. Run `lantai init` or set LANTAI_SECRET_KEY. "
        "(未设置密钥：请运行 `lantai init` 或设置 LANTAI_SECRET_KEY)"
    )


SECRET_KEY = _secret_key()
if SECRET_KEY == _INSECURE_KEY and not DEBUG:  # pragma: no cover - guarded above
    raise ImproperlyConfigured("the development secret key is refused outside debug")


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


ALLOWED_HOSTS = env_list(
    "LANTAI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"], "Host names this server answers to."
)
CSRF_TRUSTED_ORIGINS = env_list(
    "LANTAI_CSRF_TRUSTED_ORIGINS", [], "Origins (scheme://host:port) trusted for CSRF behind a proxy."
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "lantai.core",
    "lantai.accounts",
    "lantai.audit",
    "lantai.catalog",
    "lantai.storage",
    "lantai.ingest",
    "lantai.checks",
    "lantai.search",
    "lantai.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lantai.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lantai.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "lantai.urls"
WSGI_APPLICATION = "lantai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lantai.web.context.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'lantai.sqlite3'}"
DATABASE_URL = env_str(
    "LANTAI_DATABASE_URL",
    _default_db,
    "Database URL: sqlite:///path (embedded) or postgres://user:pass@host:port/name (scaled).",
)
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process workers read while the web thread writes; IMMEDIATE makes
    # every transaction take the write lock up front, so two writers queue instead of
    # failing half-way with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_MIN_LENGTH = env_int("LANTAI_PASSWORD_MIN_LENGTH", 10, "Minimum password length.", minimum=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "lantai.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "lantai.accounts.passwords.CharacterClassValidator"},
]
LOGIN_MAX_FAILURES = env_int(
    "LANTAI_LOGIN_MAX_FAILURES", 5, "Failed logins in a row before the account is locked.", minimum=1
)
LOGIN_LOCKOUT_MINUTES = env_int(
    "LANTAI_LOGIN_LOCKOUT_MINUTES", 15, "How long a locked account stays locked.", minimum=1
)

SESSION_COOKIE_AGE = env_int("LANTAI_SESSION_MINUTES", 480, "Session lifetime in minutes.", minimum=5) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("LANTAI_SECURE_COOKIES", False, "Send cookies over HTTPS only.")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = env_str("LANTAI_LANGUAGE", "zh-hans", "Default interface language: zh-hans or en.")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]  # project-level strings (settings); apps keep their own
TIME_ZONE = env_str("LANTAI_TIME_ZONE", "Asia/Shanghai", "Time zone for display and dates.")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background jobs: the django-tasks API on the database backend. A job row is written in
# the same transaction as the domain change that asks for it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_THREADS = env_int(
    "LANTAI_WORKER_THREADS", 1, "Worker threads that `lantai serve` runs beside the web server.", minimum=0
)
JOB_LEASE_SECONDS = env_int(
    "LANTAI_JOB_LEASE_SECONDS",
    300,
    "A running job whose worker has not been seen for this long is handed to another worker.",
    minimum=1,
)

SERVE_BIND = env_str("LANTAI_BIND", "127.0.0.1:8000", "Address and port `lantai serve` listens on.")
SERVE_THREADS = env_int("LANTAI_WEB_THREADS", 8, "Web server threads for `lantai serve`.", minimum=1)

LOG_LEVEL = env_str("LANTAI_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "jieba": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# --- accounts / web / api (foundation) ---
# Installed so that /api/v1/docs serves Swagger UI from ninja's bundled static files; without
# it ninja's docs page loads its scripts from a CDN, which an offline archive cannot reach.
INSTALLED_APPS.append("ninja")
# The staff UI's stylesheet lives in the package (src/lantai/static), not in an app folder.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

# --- storage and ingest (online archiving) ---
STORAGE_ROOT = env_path(
    "LANTAI_STORAGE_ROOT", DATA_DIR / "objects", "Root folder of the content-addressed object store."
)
STORAGE_REPLICAS = env_list(
    "LANTAI_STORAGE_REPLICAS", [], "Comma-separated extra folders that receive a copy of every object."
)
INGEST_STAGING_DIR = env_path(
    "LANTAI_INGEST_STAGING_DIR", DATA_DIR / "staging", "Where received submissions wait for checks."
)
INGEST_MAX_PACKAGE_BYTES = env_int(
    "LANTAI_INGEST_MAX_PACKAGE_BYTES", 50 * 1024**3, "Largest submission accepted (bytes, unpacked).", 1
)
INGEST_MAX_FILES = env_int("LANTAI_INGEST_MAX_FILES", 100_000, "Most files in one submission.", 1)
INGEST_MAX_RATIO = env_int(
    "LANTAI_INGEST_MAX_RATIO", 200, "Largest compression ratio of a zip entry (zip-bomb guard).", 1
)
INGEST_MAX_XML_BYTES = env_int(
    "LANTAI_INGEST_MAX_XML_BYTES", 512 * 1024**2, "Largest EEP or catalogue XML file parsed.", 1
)
INGEST_STAGING_MAX_AGE_HOURS = env_int(
    "LANTAI_INGEST_STAGING_MAX_AGE_HOURS",
    24,
    "Staging folders of no live submission older than this are swept.",
    1,
)
INGEST_SYNC_MAX_BYTES = env_int(
    "LANTAI_INGEST_SYNC_MAX_BYTES", 1024**3, "Larger submissions are checked by a background job (202).", 0
)
# Multipart uploads are streamed by lantai.ingest.upload to staging; nothing big is kept in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = INGEST_MAX_FILES + 1  # the files plus the metadata part

# --- checks (四性检测) ---
CLAMD_SOCKET = env_str(
    "LANTAI_CLAMD_SOCKET",
    "",
    "Unix socket of the ClamAV clamd used by the virus check (wins over the address).",
)
CLAMD_ADDRESS = env_str("LANTAI_CLAMD_ADDRESS", "", "host:port of a ClamAV clamd reached over TCP.")
CLAMD_TIMEOUT = env_int("LANTAI_CLAMD_TIMEOUT", 120, "Seconds to wait for clamd per file.", minimum=1)

# Search (lantai.search): the backend and where the embedded index lives.
SEARCH_BACKEND = env_str(
    "LANTAI_SEARCH_BACKEND",
    "tantivy",
    "Full-text search backend: tantivy (embedded index under the data folder) or postgres (shared).",
)
SEARCH_INDEX_DIR = env_path(
    "LANTAI_SEARCH_INDEX_DIR", DATA_DIR / "index", "Folder of the embedded (tantivy) search index."
)
