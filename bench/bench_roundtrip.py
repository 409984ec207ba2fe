"""Task round trip: Django -> broker -> worker -> result row, against a bare broker PING.

The baseline is one PING to the same Valkey from this process; the figures are
how many times slower publishing a task and a full round trip (worker run and
result read back from the database) are. Throughput is tasks completed per
second by one worker process, against publishing alone."""

import time

import redis

from bench.common import median, percentile, row

SAMPLES = 200
BATCH = 300


def timed(fn, n):
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def run():
    from django.conf import settings
    from django_celery_results.models import TaskResult

    from config.celery import ping
    from tests.workers import WorkerProcess, wait_for

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    baseline = median(timed(client.ping, SAMPLES))
    publish = timed(ping.delay, SAMPLES)
    worker = WorkerProcess(queues="default", concurrency=1)
    worker.start()
    try:
        wait_for(lambda: TaskResult.objects.count() >= SAMPLES, timeout=120, message="the warm-up tasks")
        roundtrip = timed(lambda: ping.delay().get(timeout=30, interval=0.005), SAMPLES // 4)

        before = TaskResult.objects.count()
        started = time.perf_counter()
        for _ in range(BATCH):
            ping.delay()
        published = time.perf_counter() - started
        wait_for(lambda: TaskResult.objects.count() >= before + BATCH, timeout=300, message="the batch")
        drained = time.perf_counter() - started
    finally:
        worker.stop()

    row("broker PING median (baseline)", f"{baseline * 1e6:.0f}", "us")
    row("publish a task, median", f"{median(publish) / baseline:.1f}", "x PING")
    row("publish a task, p95", f"{percentile(publish, 95) / baseline:.1f}", "x PING")
    row("round trip incl. worker and result row, median", f"{median(roundtrip) / baseline:.0f}", "x PING")
    row("round trip, p95", f"{percentile(roundtrip, 95) / baseline:.0f}", "x PING")
    row(f"{BATCH} tasks: drain time / publish time (1 worker process)", f"{drained / published:.1f}", "x")
