"""Settings for a benchmark worker that counts its database writes (bench/write_counter.py)."""

from config.settings import *  # noqa: F403

CELERY_IMPORTS = ["bench.write_counter"]
