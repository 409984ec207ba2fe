"""Settings for the CRM background-jobs platform.

One module, driven by the environment (django-environ). Every variable is listed
with its default and meaning in `.env.example` and the README. Defaults give a
working development setup (SQLite + embedded Valkey); production sets
DEBUG=false and must provide SECRET_KEY.
"""

import datetime as dt
from email.utils import getaddresses
from pathlib import Path

import environ
from kombu import Queue

from config import logs
from config.brokers import transport_for

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment wins

DEBUG = env.bool("DEBUG", default=True)
# A development key only while DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY") if not DEBUG else env("SECRET_KEY", default="dev-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "drf_spectacular",
    "django_celery_results",
    "django_celery_beat",
    "axes",
    "accounts",
    "jobs",
    "notifications",
    "reports",
    "ops",  # metrics and alerts over jobs and notifications
    "crm",  # the CRM shell (base templates, navigation, dashboard, demo data): depends on the apps above
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "crm.context.crm",  # CRM header: nav, staff ops links
                "jobs.context.jobs_widget",  # the header jobs widget's first render
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several worker processes write at once: WAL lets readers run beside one
    # writer, IMMEDIATE takes the write lock at BEGIN (no deadlock-prone lock
    # upgrades) and the timeout makes writers wait instead of failing with
    # "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Celery closes the DB connection around every task unless told to reuse it; a
    # local file has no connection to lose, and reopening it costs more than a job's
    # own writes (bench/bench_jobs.py).
    CELERY_DB_REUSE_MAX = 1000
    # A file, not :memory:, so Celery worker processes started by tests see it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("fa", "فارسی"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Tehran")
USE_I18N = True
USE_TZ = True

# --- Static and media files ----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email --------------------------------------------------------------------
_email = env.email("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who gets alert emails (ops/alerts.py): "Name <address>" or addresses, comma-separated.
ADMINS = [(name or address, address) for name, address in getaddresses([env("ADMINS", default="")]) if address]
EMAIL_SUBJECT_PREFIX = "[CRM] "

# --- Security (production: DEBUG=false) -----------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Login throttling (django-axes) ---------------------------------------------------
# After AXES_FAILURE_LIMIT wrong passwords for one username (on /accounts/login/ or
# /admin/login/) that username is locked out for AXES_COOLOFF_MINUTES; the count
# resets after the cool-off or a successful login. Per username, not per IP: behind
# a proxy every client shares one address, and an attacker has many.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # "add ip_address": deliberately per username, see above
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"  # a translated page with the cool-off time

# --- Cache ---------------------------------------------------------------------------
# Holds the API's throttle counts. Per process by default; production with several
# web processes sets a shared Redis, e.g. redis://redis:6379/1.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an unauthenticated request gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only (the CRM's pages post JSON too); a too-deep body is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "config.api.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",  # one error shape for every app
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",  # APIClient posts JSON, the only body the API takes
}
# Starting jobs (bulk sends, reports, retries) per user, e.g. "60/minute"; empty: no limit.
JOBS_START_RATE = env("JOBS_START_RATE", default="60/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM background jobs API",
    "DESCRIPTION": "Start long-running work and follow its progress.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Celery -------------------------------------------------------------------
# Embedded Valkey (started by `make run` / the test session) when REDIS_URL is unset.
VALKEY_PORT = env.int("VALKEY_PORT", default=6399)
VALKEY_DIR = env.path("VALKEY_DIR", default=VAR_DIR / "valkey")  # its append-only file
PRIORITY_LEVELS = 10  # task priorities 0-9 (apply_async(priority=...)), 9 most urgent
# Redis: the broker by default, and always the shared SMS rate limiter.
REDIS_URL = env("REDIS_URL", default=f"redis://127.0.0.1:{VALKEY_PORT}/0")
# The broker: REDIS_URL unless CELERY_BROKER_URL is set (e.g. RabbitMQ,
# amqp://user:password@host:5672/vhost). README "Scaling out" compares the two.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# Same priority meaning on both brokers: 9 most urgent, 0 least (config/brokers.py).
CELERY_BROKER_TRANSPORT = transport_for(CELERY_BROKER_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis: unacked tasks come back after this many seconds if their worker died;
    # every task and countdown is kept well below it (chunks), the reaper covers
    # the rest. (RabbitMQ redelivers as soon as the worker's connection drops.)
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # Redis: one list per priority level 0-9, as many levels as RabbitMQ's queues have.
    "priority_steps": list(range(PRIORITY_LEVELS)),
    # Redis: each fetch (one BRPOP) lists every consumed queue's most urgent list
    # first, whatever this says; round_robin rotates the queues within a level so
    # a worker of several queues is fair between them ("priority" would always
    # drain the first queue of -Q first).
    "queue_order_strategy": "round_robin",
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Results live in the database (django-celery-results), with task name/args.
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = env.int("CELERY_RESULT_EXPIRES", default=7 * 24 * 3600)
# JSON only: no pickle, tasks carry IDs.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged after it finishes, and requeued if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process: long tasks never hoard the queue.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker's event loop wakes at least this often (seconds). With late acks, a freed
# process fetches its next message only at the loop's next turn: at Celery's default (1 s)
# a small send could wait up to a second behind a finished chunk (bench/bench_fairness.py).
CELERY_WORKER_TIMER_PRECISION = 0.1
# Every task must end: soft limit raises inside the task, hard limit kills it.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Record Started state, so the admin and Flower see running tasks.
CELERY_TASK_TRACK_STARTED = True
# Flower and `manage.py jobs stats` need task events.
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = "default"
# Durable queues on every broker. On RabbitMQ they are *classic* durable queues
# with x-max-priority, not quorum queues: RabbitMQ 3.x has no priorities on
# quorum queues (4.x only two levels), quorum queues need Celery's native delayed
# delivery for retry countdowns, and small sends must overtake bulk chunks. So
# priorities win over the quorum delivery limit. Durability: durable queues +
# persistent messages + late acks. Without a delivery limit a message whose task
# kills its worker every time comes back every time (as on Redis); the time
# limits below bound each run. Redis ignores these arguments.
QUEUE_ARGUMENTS = {"x-max-priority": PRIORITY_LEVELS - 1}
# apply_async() without a priority: the middle, so background work (0-4) can go
# behind and urgent work (6-9) ahead of it.
CELERY_TASK_DEFAULT_PRIORITY = 5
# Fair scheduling (README "Fairness"): small and urgent sends go ahead of bulk chunks.
JOBS_PRIORITY_HIGH = 8
JOBS_PRIORITY_BULK = 2
# The high lane's own queue: a worker that consumes it (Procfile `urgent`) is never busy with
# bulk chunks, so a small send starts at once instead of waiting for a chunk's time slice.
# Every worker of all queues consumes it too. Empty: the high lane shares its channel's queue.
JOBS_URGENT_QUEUE = env("JOBS_URGENT_QUEUE", default="urgent")
CELERY_TASK_QUEUES = [
    Queue(name, durable=True, queue_arguments=QUEUE_ARGUMENTS)
    for name in ("default", "notifications", "emails", "reports", "maintenance", JOBS_URGENT_QUEUE)
    if name
]
# Routed by task name; a worker group per queue scales independently.
# Routed by the tasks' explicit names (stored in BackgroundJob.task_name and beat's
# schedules), never by module paths: moving a module must not reroute or orphan a task.
CELERY_TASK_ROUTES = {
    "notifications.send_email_*": {"queue": "emails"},
    "notifications.*": {"queue": "notifications"},
    "reports.*": {"queue": "reports"},
    "jobs.*": {"queue": "maintenance"},
    "demo.*": {"queue": "maintenance"},
    "ops.*": {"queue": "maintenance"},
}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# --- Jobs platform --------------------------------------------------------------
JOBS_RETENTION_DAYS = env.int("JOBS_RETENTION_DAYS", default=7)
# Seconds without a heartbeat before the reaper (every 5 s) looks at a running job; job
# tasks heartbeat every JOBS_PROGRESS_INTERVAL while they work (and while they wait on a
# rate limit), so a dead worker's job moves again within about 25 s.
JOBS_STUCK_AFTER = env.int("JOBS_STUCK_AFTER", default=20)
# A job that was resumed this many times in a row without making progress fails.
JOBS_MAX_STALLED_RESUMES = env.int("JOBS_MAX_STALLED_RESUMES", default=3)
JOBS_PROGRESS_INTERVAL = env.float("JOBS_PROGRESS_INTERVAL", default=0.5)  # min seconds between counter writes
FLOWER_URL = env("FLOWER_URL", default="http://127.0.0.1:5555")
# Flower (config/flowerconfig.py): "user:password" pairs, comma-separated. A
# development login only while DEBUG is on; production must set it.
FLOWER_BASIC_AUTH = env.list("FLOWER_BASIC_AUTH", default=["demo:demo"] if DEBUG else [])
FLOWER_DB = env.path("FLOWER_DB", default=VAR_DIR / "flower" / "flower.db")  # persistent task history
FLOWER_MAX_TASKS = env.int("FLOWER_MAX_TASKS", default=10_000)  # bounds Flower's memory

# --- Monitoring and alerts (ops app) -----------------------------------------------
# GET /metrics (Prometheus): staff session, or `Authorization: Bearer METRICS_TOKEN`.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_DURATION_WINDOW = env.int("METRICS_DURATION_WINDOW", default=3600)  # seconds of finished jobs in the histogram
# Alert emails to ADMINS; off in development unless asked for.
ALERTS_ENABLED = env.bool("ALERTS_ENABLED", default=not DEBUG)
ALERTS_THROTTLE = env.int("ALERTS_THROTTLE", default=900)  # seconds: at most one email per kind (and queue)
ALERT_QUEUE_BACKLOG = env.int("ALERT_QUEUE_BACKLOG", default=1000)  # messages waiting in one queue
ALERT_QUEUE_AGE = env.int("ALERT_QUEUE_AGE", default=600)  # seconds the oldest message waited (Redis broker)

# --- Notifications -----------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_API_KEY = env("SMS_GATEWAY_API_KEY", default="")
SMS_RATE_LIMIT = env("SMS_RATE_LIMIT", default="")
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="IR")
BULK_MAX_AUDIENCE = env.int("BULK_MAX_AUDIENCE", default=100_000)
BULK_CHUNK_SIZE = env.int("BULK_CHUNK_SIZE", default=200)
# The largest request body: the largest audience sent as a JSON list (100 bytes per
# address, quotes and comma included: 100,000 addresses ~ 10 MB) plus 1 MB for the
# message. Larger bodies answer 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = BULK_MAX_AUDIENCE * 100 + 1024 * 1024
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)  # seconds per gateway request
SMS_MAX_SEGMENTS = env.int("SMS_MAX_SEGMENTS", default=6)  # longest SMS body accepted, in segments
BULK_SEND_CONCURRENCY = env.int("BULK_SEND_CONCURRENCY", default=8)  # in-flight sends per chunk task (threads)
BULK_MAX_ATTEMPTS = env.int("BULK_MAX_ATTEMPTS", default=4)  # sends per recipient before it is marked failed
BULK_RETRY_BACKOFF = env.int("BULK_RETRY_BACKOFF", default=2)  # seconds; chunk retries back off 2, 4, 8 ... + jitter
# Chunk messages of one send queued or running at once (a finished chunk enqueues the next):
# the broker holds O(in-flight) messages per send, and sends of different owners interleave.
# Default: the documented worker concurrency (Procfile `-c 2`).
BULK_CHUNKS_IN_FLIGHT = env.int("BULK_CHUNKS_IN_FLIGHT", default=2)
# A chunk task's time slice: then, if another message waits for its worker, it hands the rest
# of its range to a fresh task at the back of its lane, so other sends get a worker soon
# however slow (rate-limited) this one is; if none waits it takes another slice.
BULK_CHUNK_SECONDS = env.float("BULK_CHUNK_SECONDS", default=0.5)
# Sends of at most this many recipients (and urgent ones) go ahead of bulk chunks, and are
# sent by their planner at once.
BULK_SMALL_AUDIENCE = env.int("BULK_SMALL_AUDIENCE", default=100)
# A chunk waits this long at most for an exhausted quota window (or a 429 pause) while
# holding its worker; a longer wait hands the chunk back with a countdown.
BULK_QUOTA_MAX_WAIT = env.float("BULK_QUOTA_MAX_WAIT", default=5.0)
BULK_MAX_SCHEDULE_DAYS = env.int("BULK_MAX_SCHEDULE_DAYS", default=90)  # how far ahead a send may be scheduled

# --- Reports --------------------------------------------------------------------
REPORTS_EXPIRE_DAYS = env.int("REPORTS_EXPIRE_DAYS", default=7)
# Report builds may run longer than other tasks; kept below the broker's visibility timeout.
REPORTS_TIME_LIMIT = env.int("REPORTS_TIME_LIMIT", default=1800)
# Seconds slept after each report row: a test hook to make cancellation observable; 0 in production.
REPORTS_ROW_DELAY = env.float("REPORTS_ROW_DELAY", default=0.0)

# --- Logging (config/logs.py) ----------------------------------------------------
# Web, workers and beat log alike; a line written inside a job's task carries its id.
# LOG_FORMAT: plain (development) or json (one object per line, for log collectors).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise environ.ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = logs.config(env("LOG_LEVEL", default="INFO"), LOG_FORMAT)
