"""Settings for the counseling portal, all read from the environment.

With no environment at all the portal runs embedded: SQLite under var/, Celery tasks
inline, mail to the console. Production sets DJANGO_DEBUG=false and must then name its
secret key and hosts, or the process refuses to start.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Local state of the embedded default (SQLite file, uploads, collected static files). Reading
# settings touches no disk: CounselingConfig.ready() makes the folders the process needs.
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-key-never-used-in-production-0123456789abcdef"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")

# Encrypts tier 3 at rest (counseling.crypto). Production must name its own: a leaked
# secret key must not open tier 3, and rotating the secret key must not make it unreadable.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default=SECRET_KEY if DEBUG else "")
if not DEBUG and (not FIELD_ENCRYPTION_KEY or FIELD_ENCRYPTION_KEY == SECRET_KEY):
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY must be set, and differ from DJANGO_SECRET_KEY, when "
        "DJANGO_DEBUG is false. Make one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(32))' "
        "and keep it with the database backups (without it tier 3 cannot be read)."
    )
# Keys still readable while `manage.py rotate_encryption_key` re-encrypts under the new one.
FIELD_ENCRYPTION_OLD_KEYS = env.list("FIELD_ENCRYPTION_OLD_KEYS", default=[])
# Keyed hashes that find "the same student" across rows are never re-computed, so their key
# is never rotated: it stays what the encryption key was when the hashes were first made.
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default=FIELD_ENCRYPTION_KEY)

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rules.apps.AutodiscoverRulesConfig",
    "counseling",
    "committees",
    "lectures",
    "consultations",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "counseling.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "counseling.middleware.BadInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "counseling.middleware.NoStoreForSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The second factor first, then a one-time password's change (which allows its pages).
    "counseling.auth.middleware.StaffSessionMiddleware",
    "counseling.middleware.PasswordChangeRequiredMiddleware",
    "counseling.sessions.SessionRefreshMiddleware",
    # After a write to what the semester's figures count: the school's snapshots recount.
    "reports.figures.middleware.FigureWritesMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "counseling.urls"
WSGI_APPLICATION = "counseling.wsgi.application"

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
                "django.template.context_processors.i18n",
                "counseling.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'counseling.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one costs about a third of a small page's time on
# PostgreSQL. The health check re-opens a connection the server (or PgBouncer) dropped.
# Behind PgBouncer in transaction mode, keep them too (PgBouncer pools the server side).
_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0 if _SQLITE else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True)
# DJANGO_PGBOUNCER=true when DATABASE_URL points at PgBouncer in transaction pooling: a
# server-side cursor (QuerySet.iterator()) outlives the transaction PgBouncer lends it, so
# the next statement may land on another server connection that never declared it.
if env.bool("DJANGO_PGBOUNCER", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if _SQLITE:
    # Writes from the dev server and inline tasks overlap; wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "counseling.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (tuned in counseling/hashers.py); older hashes still verify and are
# re-hashed with Argon2 at the next sign-in.
ARGON2_TIME_COST = env.int("ARGON2_TIME_COST", default=2)
ARGON2_MEMORY_KIB = env.int("ARGON2_MEMORY_KIB", default=19 * 1024)
ARGON2_PARALLELISM = env.int("ARGON2_PARALLELISM", default=1)
PASSWORD_HASHERS = [
    "counseling.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: a handful of failures per account and address, then a pause.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The lockout counts the client's address past the trusted proxies, as everything else does.
AXES_CLIENT_IP_CALLABLE = "counseling.http.client_ip"

# counseling.ratelimit: per-group overrides of the rates in the code, e.g.
# RATE_LIMITS="sign-in=50/10m,feedback=600/m".
RATE_LIMITS = env.dict("RATE_LIMITS", default={})

# Sessions end after a period of inactivity: counseling.sessions renews the expiry at most
# once per SESSION_REFRESH_SECONDS (not on every request, which wrote the session each time).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=5 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A committee member who ticks "this is my phone" at sign-in stays signed in this long.
SESSION_REMEMBER_SECONDS = env.int("SESSION_REMEMBER_SECONDS", default=140 * 24 * 60 * 60)
# Staff (counselors, administrators, liaisons, class teachers) have stricter limits: signed
# out after this long without a request, and this long after signing in whatever happens.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=10 * 60 * 60)

# Two-factor sign-in (django-otp, TOTP and recovery codes) for staff: required in
# production; the embedded demo leaves it off and says so on its sign-in page.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
# A tier-3 export needs a code entered within this many seconds (counseling.auth.reauth).
OTP_REAUTH_SECONDS = env.int("OTP_REAUTH_SECONDS", default=5 * 60)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="心理辅导工作平台")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every upload (counseling.uploads): checked by content, at most this big, at most this many
# files on one meeting or session.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_FILES = env.int("UPLOAD_MAX_FILES", default=30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis, when configured, is both Celery's broker and Django's cache. Without it the
# portal runs tasks inline and caches in memory, so nothing has to be installed.
REDIS_URL = env.str("REDIS_URL", default="")
# A Redis that accepts connections and never answers must not hang a request.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=3.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "max_retries": 1,
}
# A publish that fails is retried once, on a fresh connection (a pooled connection may have
# died with a Redis restart). With a Redis that accepts and never answers, every try waits
# REDIS_SOCKET_TIMEOUT, so queueing costs at most about twice that; Celery's default policy
# (3 retries) made it four times. tests/counseling/test_notifications_broker.py measures it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

# Notifications: links in e-mail and group messages need the portal's own address, and a
# failing channel is retried with exponential backoff (base, 2×base, …) a bounded number of
# times before it is marked failed for the administrator.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
# Posts per group robot in any 60 seconds, shared by every worker (WeCom and DingTalk allow 20).
ROBOT_MESSAGES_PER_MINUTE = env.int("ROBOT_MESSAGES_PER_MINUTE", default=18)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)

CELERY_BEAT_SCHEDULE = {
    # The afternoon before: members read it after class.
    "committee-meeting-reminders": {
        "task": "committees.send_meeting_reminders",
        "schedule": crontab(hour=16, minute=0),
    },
    # The day before the deadline members are reminded; after it, teachers and liaisons.
    "lecture-reminders": {
        "task": "lectures.send_session_reminders",
        "schedule": crontab(hour=16, minute=10),
    },
    "barometer-reminders": {
        "task": "committees.barometer_reminders",
        "schedule": crontab(hour=16, minute=5),
    },
    # The afternoon before: a consultation at 14:00 tomorrow, nothing more.
    "consultation-reminders": {
        "task": "consultations.send_booking_reminders",
        "schedule": crontab(hour=16, minute=15),
    },
    # The semester figures' snapshots: changed ones whose message was lost, and running
    # semesters' counted over FIGURES_MAX_AGE_SECONDS ago (reports.figures.snapshots).
    "figures-refresh": {
        "task": "reports.refresh_figures",
        "schedule": crontab(minute="*/5"),
    },
}
# The semester figures on the pages are counted this long after the first write that
# changes them (the writes of that minute count once), and at least this often while the
# semester runs.
FIGURES_REFRESH_DELAY_SECONDS = env.int("FIGURES_REFRESH_DELAY_SECONDS", default=60)
FIGURES_MAX_AGE_SECONDS = env.int("FIGURES_MAX_AGE_SECONDS", default=3600)
# Drills and tests only (ops/drills/beat_restart.sh): every beat task every N seconds. Each
# still runs once a day (counseling.scheduled): the later messages find the day's run done.
BEAT_DRILL_SECONDS = env.int("BEAT_DRILL_SECONDS", default=0)
if BEAT_DRILL_SECONDS:
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = BEAT_DRILL_SECONDS

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="counseling@localhost")

# Under production settings every cookie is secure and the browser is told to stay on HTTPS.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Monitoring asks for /healthz on the local network, often without TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: none trusted).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or handler anywhere (static/js/portal.js wires data attributes); inline
# style attributes remain in templates (progress bars, chart sizes), hence styles' exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every step of every PDF at INFO (and once at import).
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Feedback forms stay open from the day of their session for this many days, and one
# device signal (keyed hash of address and browser) may answer a session this many times.
FEEDBACK_OPEN_DAYS = env.int("FEEDBACK_OPEN_DAYS", default=7)
FEEDBACK_MAX_PER_SIGNAL = env.int("FEEDBACK_MAX_PER_SIGNAL", default=3)

# Retention (counseling.retention, `manage.py purge_expired`): days per data class, e.g.
# RETENTION_DAYS="concerns=365,alerts=730,barometers=1095,feedback=730,audit=1095".
# Unset classes keep their defaults; the audit trail is kept at least 180 days.
RETENTION_DAYS = {k: int(v) for k, v in env.dict("RETENTION_DAYS", default={}).items()}

# Bad input (counseling.middleware.BadInputMiddleware): a NUL byte anywhere, or a value
# longer than these, is refused with a message before any view sees it.
INPUT_MAX_QUERY_CHARS = env.int("INPUT_MAX_QUERY_CHARS", default=1000)
INPUT_MAX_FIELD_CHARS = env.int("INPUT_MAX_FIELD_CHARS", default=30000)
# /healthz: a worker is down without a heartbeat for this long; jobs are stuck this long
# after they were due. Benchmark mode: the floor page (/_floor/) and the figures headers.
HEALTHZ_WORKER_SECONDS = env.int("HEALTHZ_WORKER_SECONDS", default=60)
HEALTHZ_STUCK_SECONDS = env.int("HEALTHZ_STUCK_SECONDS", default=15 * 60)
# reconcile_jobs (counseling.jobs): a job whose task went out this long ago and was never
# started is queued again; a running one whose worker's lease is gone, after the grace (time
# for acks_late's redelivery); a job is given up after this many attempts.
JOBS_PENDING_SECONDS = env.int("JOBS_PENDING_SECONDS", default=120)
JOBS_RUNNING_GRACE_SECONDS = env.int("JOBS_RUNNING_GRACE_SECONDS", default=60)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=4)
BENCHMARK_MODE = env.bool("PORTAL_BENCHMARK_MODE", default=False)
if BENCHMARK_MODE:
    # Each response tells benchmarks/pages.py its query count and server time.
    MIDDLEWARE.insert(0, "counseling.benchmark.BenchmarkHeadersMiddleware")

# Above this many classes the week board shows each department as a line of counts.
BOARD_TILE_LIMIT = env.int("BOARD_TILE_LIMIT", default=300)

# Roster imports larger than this are refused with a clear message.
ROSTER_IMPORT_MAX_ROWS = env.int("ROSTER_IMPORT_MAX_ROWS", default=20000)

# The consultation room: days a letter waits at most for its reply, hours a break-the-glass
# grant lasts, letters one address may post per hour (the address is only hashed into a
# cache key, never stored).
LETTER_REPLY_DAYS = env.int("LETTER_REPLY_DAYS", default=3)
BREAK_GLASS_HOURS = env.int("BREAK_GLASS_HOURS", default=4)
LETTER_RATE_PER_HOUR = env.int("LETTER_RATE_PER_HOUR", default=5)
