"""Flower's configuration: `celery -A config flower --conf=config/flowerconfig.py`.

Tornado executes this file and every top-level name that matches a Flower
option sets it (over FLOWER_* environment variables; command-line flags such
as --address/--port still win). Helpers are _private so they are never taken
for options. Values come from config/settings.py, i.e. from the environment.
"""

from pathlib import Path as _Path

from django.conf import settings as _settings

if not _settings.FLOWER_BASIC_AUTH:
    # Flower's auth is off unless configured: never serve it open.
    raise SystemExit("Flower: set FLOWER_BASIC_AUTH=user:password (required when DEBUG is off).")

# HTTP basic auth, "user:password" pairs.
basic_auth = list(_settings.FLOWER_BASIC_AUTH)

# Keep task history across restarts. Flower saves on SIGTERM only by default,
# so also save every minute: a crash loses at most a minute of history.
persistent = True
db = str(_settings.FLOWER_DB)
_Path(db).parent.mkdir(parents=True, exist_ok=True)
state_save_interval = 60_000  # milliseconds

# Bounded memory: the newest tasks/workers only (the DB has the full results).
max_tasks = _settings.FLOWER_MAX_TASKS
max_workers = 500
purge_offline_workers = 24 * 3600  # seconds

# Prometheus metrics are served on /metrics and a liveness probe on
# /healthcheck (both without auth, as Flower 2 does).
