"""GridGov settings: the one settings module.

Every knob is read from the environment (or a ``.env`` file) with a safe default; ``.env.example`` lists them
all. The embedded default is SQLite under ``var/``; PostgreSQL is used when ``DATABASE_URL`` points at one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gridgov.core.env import env_bool, env_float, env_int, env_list, env_str, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(Path(os.environ.get("GRIDGOV_ENV_FILE", BASE_DIR / ".env")))

VAR_DIR = Path(env_str("GRIDGOV_VAR_DIR", str(BASE_DIR / "var")))

# --- Security -------------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
_secret_key_file = env_str("SECRET_KEY_FILE")
if not SECRET_KEY and _secret_key_file:
    SECRET_KEY = Path(_secret_key_file).read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Put a long random value in the environment or in .env."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - used only with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Applications ---------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gridgov.core",
    "gridgov.accounts",
    "gridgov.geo",
    "gridgov.dispatch",
    "gridgov.cases",
    "gridgov.demo",
    "gridgov.notifications",
    "gridgov.triage",
    "gridgov.intake",
    "gridgov.alerts",
    "gridgov.command",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridgov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}")
# Connections are kept between requests (opening one, with SQLite's PRAGMAs, cost ~15 % of a report's time) and
# checked before reuse.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with writers of every process queued on a lock file (gridgov/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "gridgov.core.sqlite"
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
        # concurrent writers queue instead of failing half-way ("database is locked").
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the command center's large aggregates before running them, which costs more
    # (0.2-0.7 s) than it ever saves on these queries; DB_JIT=true turns it back on.
    if not env_bool("DB_JIT", False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        # Parameters travel apart from the SQL, and a statement run a few times on a connection is prepared once
        # (psycopg): the server stops parsing and planning the same report statements again and again (Open311
        # POST 176 -> 208/s, docs/performance.md). Off for a pooler that cannot keep prepared statements
        # (PgBouncer before 1.21 in transaction mode).
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gridgov"}}

# --- Passwords ------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gridgov" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# Front-end libraries from npm (package-lock.json) are copied here by `npm run build`; nothing comes from a CDN.
STATICFILES_DIRS = [BASE_DIR / "gridgov" / "static_build"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- REST API -------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridgov.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GridGov API",
    "DESCRIPTION": "网格通 GridGov: grid-based grassroots governance.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- GridGov --------------------------------------------------------------------------------------------------
GRIDGOV: dict[str, Any] = {
    # Optional map tile URL template (e.g. the city's own GIS server). Empty: grid boundaries on a plain background.
    "MAP_TILE_URL": env_str("MAP_TILE_URL"),
    "MAP_TILE_ATTRIBUTION": env_str("MAP_TILE_ATTRIBUTION"),
    # Map start position when no area is chosen (Nantong).
    "MAP_CENTER_LAT": env_float("MAP_CENTER_LAT", 32.03),
    "MAP_CENTER_LON": env_float("MAP_CENTER_LON", 120.98),
    "MAP_ZOOM": env_int("MAP_ZOOM", 10),
    # Office hours for deadlines counted in working hours, local time, "HH:MM-HH:MM" ranges.
    "WORKING_HOURS": env_list("WORKING_HOURS", ["08:30-12:00", "13:30-17:30"]),
    # How far ahead (in days) a missing holiday schedule raises the staff warning.
    "CALENDAR_WARNING_HORIZON_DAYS": env_int("CALENDAR_WARNING_HORIZON_DAYS", 90),
    # Tolerance for boundary checks on import (square metres): slivers below it are rounding, not overlaps.
    "GEO_AREA_TOLERANCE_M2": env_float("GEO_AREA_TOLERANCE_M2", 1.0),
    # Stage limits of the case lifecycle (the resolve limit comes from each category's SLA in working days).
    "ACCEPT_WITHIN_HOURS": env_float("ACCEPT_WITHIN_HOURS", 2.0),
    "SIGN_WITHIN_DAYS": env_int("SIGN_WITHIN_DAYS", 1),
    # Share of the allowed time after which a case turns yellow (due soon).
    "YELLOW_AT": env_float("YELLOW_AT", 0.75),
    # Case numbers: PREFIX-YYYYMMDD-NNNN; a town's own prefix (Area.case_prefix) wins over this default.
    "CASE_NUMBER_PREFIX": env_str("CASE_NUMBER_PREFIX", "GG"),
    # Outbound notification channels (dotted paths); empty: in-app inbox only. See docs/notifications.md.
    "NOTIFY_CHANNELS": env_list("NOTIFY_CHANNELS", []),
    "NOTIFY_WEBHOOK_URLS": env_list("NOTIFY_WEBHOOK_URLS", []),
    "NOTIFY_WEBHOOK_SECRET": env_str("NOTIFY_WEBHOOK_SECRET"),
    "NOTIFY_WEBHOOK_TIMEOUT": env_float("NOTIFY_WEBHOOK_TIMEOUT", 5.0),
    # Dotted path of a callable taking a list of notification ids (e.g. one that enqueues a job); empty: in-process.
    "NOTIFY_DELIVER": env_str("NOTIFY_DELIVER"),
    # Public base URL (https://grid.example.gov.cn) to make links absolute in emails and webhooks.
    "SITE_URL": env_str("SITE_URL"),
    # Uploads: photo size limit, pixel limit (decompression bombs) and the long side of public copies.
    "MAX_UPLOAD_BYTES": env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
    "MAX_IMAGE_PIXELS": env_int("MAX_IMAGE_PIXELS", 40_000_000),
    "PUBLIC_IMAGE_MAX_SIDE": env_int("PUBLIC_IMAGE_MAX_SIDE", 1600),
    # Server processes load the grid index and the triage model when they start, not on their first report.
    "WARM_UP": env_bool("WARM_UP", True),
    # Username that management commands act as unless --actor is given.
    "SYSTEM_USERNAME": env_str("SYSTEM_USERNAME", "system"),
    # Triage: where trained models are kept, the probability from which a suggested category is applied without
    # a person, and the duplicate rules (same category, within the radius and the window, similar words).
    "TRIAGE_MODEL_DIR": env_str("TRIAGE_MODEL_DIR") or str(VAR_DIR / "triage"),
    "TRIAGE_AUTO_APPLY": env_float("TRIAGE_AUTO_APPLY", 0.85),
    "TRIAGE_DUPLICATE_RADIUS_M": env_float("TRIAGE_DUPLICATE_RADIUS_M", 300.0),
    "TRIAGE_DUPLICATE_DAYS": env_float("TRIAGE_DUPLICATE_DAYS", 7.0),
    "TRIAGE_DUPLICATE_MIN_SIMILARITY": env_float("TRIAGE_DUPLICATE_MIN_SIMILARITY", 0.10),
    # Public intake limits (django-ratelimit syntax "count/period"): per IP address and per phone number.
    "INTAKE_RATE_PER_IP": env_str("INTAKE_RATE_PER_IP", "20/h"),
    "INTAKE_RATE_PER_PHONE": env_str("INTAKE_RATE_PER_PHONE", "10/h"),
    "INTAKE_MAX_PHOTOS": env_int("INTAKE_MAX_PHOTOS", 9),
    # Open311 GeoReport v2 (docs/open311.md): requests per key, seconds a public list answer is cached, the
    # longest list, and what discovery says about whom to ask for a key.
    "OPEN311_RATE_PER_KEY": env_str("OPEN311_RATE_PER_KEY", "6000/m"),
    "OPEN311_CACHE_SECONDS": env_int("OPEN311_CACHE_SECONDS", 30),
    "OPEN311_MAX_REQUESTS": env_int("OPEN311_MAX_REQUESTS", 1000),
    "OPEN311_CONTACT": env_str("OPEN311_CONTACT"),
    "OPEN311_KEY_SERVICE": env_str("OPEN311_KEY_SERVICE"),
    # Imports (docs/import.md): where uploaded files wait between the two steps, and the page's row limit
    # (larger files go through ``gridgov import_reports``).
    "IMPORT_DIR": env_str("IMPORT_DIR") or str(VAR_DIR / "imports"),
    # Command center: where the weekly and monthly bulletins (通报, Excel + PDF) are written.
    "REPORT_DIR": env_str("REPORT_DIR") or str(VAR_DIR / "reports"),
    "IMPORT_PAGE_MAX_ROWS": env_int("IMPORT_PAGE_MAX_ROWS", 2000),
}

# --- E-mail (the notification e-mail channel) --------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gridgov@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
