"""Shared set-up for benchmarks: a fresh SQLite database (or DATABASE_URL), a
private embedded Valkey (or REDIS_URL), migrations, and real worker processes."""

import os
import statistics
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup():
    """Prepare the environment and Django; returns a cleanup callable."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("JOBS_START_RATE", "")  # benchmarks start jobs as fast as they can
    db = BASE_DIR / "var" / "bench.sqlite3"
    if "DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    # Worker processes started from here on run as in production, DEBUG off (Django's
    # debug cursor records and formats every query); this process keeps it on for its
    # test client, except where a benchmark times its own queries (bench_jobs.py).
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    from django.core.management import call_command

    from tests.workers import ValkeyProcess, use_broker

    server = None
    if "REDIS_URL" not in os.environ:
        server = ValkeyProcess(Path(tempfile.mkdtemp(prefix="bench-valkey-"))).start()
        os.environ["REDIS_URL"] = server.url
    from django.conf import settings

    settings.REDIS_URL = os.environ["REDIS_URL"]
    use_broker(os.environ["REDIS_URL"])
    call_command("migrate", verbosity=0)
    return (lambda: server.stop()) if server else (lambda: None)


def percentile(values, p):
    """p-th percentile (0-100) of a list of numbers."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values):
    return statistics.median(values)


def row(label, value, unit="", note=""):
    """Print one benchmark figure, aligned."""
    print(f"  {label:<58} {value:>12} {unit:<8} {note}")


def ratio_row(label, ratios, unit="", goal=""):
    """Print a ratio measured once per round: its median, and the rounds' range in the note
    (after the goal, if any)."""
    spread = f"rounds {min(ratios):.2f}..{max(ratios):.2f}"
    row(label, f"{median(ratios):.2f}", unit, f"{goal}; {spread}" if goal else spread)
