"""Fairness: a small send beside a 20,000-recipient one (ours vs FIFO), the large send's throughput shared vs solo, ETA accuracy, broker depth of a 100,000-recipient send.

All against the fake HTTP gateway (20 ms per request) and real workers (like the Procfile:
one worker of 2 processes, and the high lane's own worker), in this run:
- small send under load: a 20,000-recipient campaign by one user under
  SMS_RATE_LIMIT=200/second; another user sends to 10 numbers, 5 times in a row:
  trigger -> Completed p50 / max, next to the same send on an idle system (goal:
  loaded/idle p50 <= 3) and next to the FIFO baseline (every chunk enqueued at
  once, one priority: the small send waits behind all of them);
- the large send's throughput over the ~10 s in which the small sends ran (one every
  1.5 to 2.5 s, at random) vs the 10 s just before (solo), from its ledger's sent_at (goal >= 0.9), and
  the same for every send through the provider (large and small: they share its
  limit, so what the small sends take is not lost);
- ETA accuracy: a 4,000-recipient send at 200/s; at 25 % progress the job's
  etaSeconds vs the time it actually took from there (goal <= 0.15);
- broker depth: the most messages in the notifications queue (every priority list)
  while a 100,000-recipient send runs (goal: a small constant, BULK_CHUNKS_IN_FLIGHT).
"""

import os
import random
import threading
import time

from bench.common import median, row

CONCURRENCY, THREADS, LATENCY = 2, 8, 0.02
LARGE = int(os.environ.get("BENCH_FAIRNESS_LARGE", "20000"))
SMALL, SMALL_RUNS = 10, 5
# Seconds from one small send's trigger to the next: 2 s on average, at random moments (seeded),
# as users arrive; a fixed spacing that is a multiple of BULK_CHUNK_SECONDS would meet every
# chunk's time slice at the same point and measure only that point.
SPACING = 2.0
RATE = 200
FIFO_TIMEOUT = float(os.environ.get("BENCH_FAIRNESS_FIFO_TIMEOUT", "30"))
ETA_N = 4000
DEPTH_N = int(os.environ.get("BENCH_FAIRNESS_DEPTH", "100000"))


def run():
    from django.contrib.auth import get_user_model

    from tests.fakes.sms_gateway import FakeSmsGateway

    users = get_user_model().objects
    big, small = (users.get_or_create(username=name)[0] for name in ("bench-fair-big", "bench-fair-small"))
    with FakeSmsGateway(latency=LATENCY) as gateway:
        small_under_load(gateway, big, small)
        eta_accuracy(gateway, big)
        broker_depth(gateway, big)


def numbers(prefix, n, start=0):
    return [f"+98{prefix}{i:07d}" for i in range(start, start + n)]


def start_send(user, recipients):
    from notifications.audience import resolve_audience
    from notifications.campaigns import start_campaign

    return start_campaign(user, resolve_audience("sms", recipients=recipients), body="Bench")


def wait_job(job, timeout=300, interval=0.02):
    from jobs.models import BackgroundJob

    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.status in BackgroundJob.FINISHED:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def timed_small_send(user, offset, timeout=120):
    """Seconds from trigger to Completed of a 10-recipient send, or None past `timeout`."""
    started = time.perf_counter()
    job = start_send(user, numbers("936", SMALL, offset)).job
    if not wait_job(job, timeout):
        return None
    return time.perf_counter() - started


def workers(gateway, **extra):
    """The Procfile's workers: one of every queue (2 processes) and the high lane's own (threads)."""
    from bench.bench_notifications import start_workers
    from tests.workers import WorkerProcess

    slice_ = os.environ.get("BULK_CHUNK_SECONDS")  # try another time slice: BULK_CHUNK_SECONDS=0.25 make bench
    extra = {"BULK_CHUNK_SECONDS": slice_, **extra} if slice_ else extra
    procs = start_workers(gateway, SMS_RATE_LIMIT=f"{RATE}/second", LOG_LEVEL="WARNING", **extra)
    env = procs[0].extra_env
    return [*procs, WorkerProcess(queues="urgent", pool="threads", concurrency=4, env=env).start()]


def stop(procs):
    for proc in procs:
        proc.stop()


def cancel(job):
    from jobs.tracking import cancel_job

    cancel_job(job)
    wait_job(job, timeout=60, interval=0.1)


def sent_between(start, end, **owner):
    """Sends recorded between start and end, of the campaigns matching `owner` (e.g. campaign=...)."""
    from notifications.models import Delivery

    return Delivery.objects.filter(status=Delivery.Status.SENT, sent_at__gte=start, sent_at__lt=end, **owner).count()


def small_under_load(gateway, big, small):
    from django.conf import settings
    from django.utils import timezone

    from bench.bench_notifications import purge

    procs = workers(gateway)
    try:
        timed_small_send(small, 900_000)  # warm-up
        idle = [timed_small_send(small, 1000 + 100 * i) for i in range(SMALL_RUNS)]
        campaign = start_send(big, numbers("935", LARGE))
        job = campaign.job
        while job.processed_items < 400:  # planned and sending at the limit
            time.sleep(0.1)
            job.refresh_from_db()
        solo_start = timezone.now()
        time.sleep(SMALL_RUNS * SPACING)
        solo_end = shared_start = timezone.now()
        loaded, arrivals = [], random.Random(7)
        for i in range(SMALL_RUNS):
            due = time.monotonic() + arrivals.uniform(SPACING - 0.5, SPACING + 0.5)
            loaded.append(timed_small_send(small, 2000 + 100 * i))
            time.sleep(max(due - time.monotonic(), 0))
        shared_end = timezone.now()
        solo = sent_between(solo_start, solo_end, campaign=campaign) / (solo_end - solo_start).total_seconds()
        seconds = (shared_end - shared_start).total_seconds()
        shared = sent_between(shared_start, shared_end, campaign=campaign) / seconds
        shared_all = shared + sent_between(shared_start, shared_end, campaign__owner=small) / seconds
        cancel(job)
    finally:
        stop(procs)
    purge()

    # FIFO baseline: every chunk of the large send enqueued at once, one priority and one queue for all.
    high, urgent_queue = settings.JOBS_PRIORITY_HIGH, settings.JOBS_URGENT_QUEUE
    settings.JOBS_PRIORITY_HIGH, settings.JOBS_URGENT_QUEUE = settings.JOBS_PRIORITY_BULK, ""
    procs = workers(gateway, BULK_CHUNKS_IN_FLIGHT="1000000")
    try:
        job = start_send(big, numbers("935", LARGE, 100_000)).job
        while job.processed_items < 400:
            time.sleep(0.1)
            job.refresh_from_db()
        fifo = timed_small_send(small, 3000, timeout=FIFO_TIMEOUT)
        cancel(job)
    finally:
        settings.JOBS_PRIORITY_HIGH, settings.JOBS_URGENT_QUEUE = high, urgent_queue
        stop(procs)
    purge()

    row(f"small send ({SMALL}) idle: p50 / max", f"{median(idle):.2f} / {max(idle):.2f}", "s")
    row(
        f"small send beside a {LARGE:,}-recipient send: p50 / max",
        f"{median(loaded):.2f} / {max(loaded):.2f}",
        "s",
        f"{RATE}/s limit, {LATENCY * 1000:.0f} ms gateway",
    )
    row("  loaded / idle (p50)", f"{median(loaded) / median(idle):.2f}", "x", "(goal: <= 3)")
    fifo_text = f"> {FIFO_TIMEOUT:.0f}" if fifo is None else f"{fifo:.2f}"
    row("  FIFO baseline (all chunks at once, one priority)", fifo_text, "s", f"{LARGE // 200} chunks ahead")
    row(
        f"large send's throughput while shared / solo (~{SMALL_RUNS * SPACING:.0f} s each)",
        f"{shared / solo:.2f}",
        "x",
        f"{shared:.0f} vs {solo:.0f}/s (goal: >= 0.9)",
    )
    row(
        "  all sends through the provider while shared / solo",
        f"{shared_all / solo:.2f}",
        "x",
        f"{shared_all:.0f}/s: the small sends use the same {RATE}/s limit",
    )


def eta_accuracy(gateway, user):
    procs = workers(gateway)
    try:
        job = start_send(user, numbers("937", ETA_N)).job
        predicted = at = None
        while True:
            job.refresh_from_db()
            if predicted is None and job.processed_items >= ETA_N / 4:
                predicted, at = job.eta_seconds(), time.monotonic()
            if wait_job(job, timeout=0):
                break
            time.sleep(0.05)
        actual = time.monotonic() - at
    finally:
        stop(procs)
    if predicted is None:
        row("ETA at 25 % progress", "none", "", "(no rate yet)")
        return
    error = abs(predicted - actual) / actual
    row(f"ETA at 25 % of {ETA_N:,} at {RATE}/s: predicted / actual", f"{predicted} / {actual:.1f}", "s")
    row("  |predicted - actual| / actual", f"{error:.2f}", "", "(goal: <= 0.15)")


def broker_depth(gateway, user):
    from django.conf import settings

    from bench.bench_notifications import start_workers
    from jobs.management.commands.jobs import queue_lengths

    samples, done = [], threading.Event()

    def watch():
        while not done.is_set():
            samples.append(queue_lengths()["notifications"] or 0)
            done.wait(0.05)

    procs = start_workers(gateway, LOG_LEVEL="WARNING")
    watcher = threading.Thread(target=watch, daemon=True)
    try:
        job = start_send(user, numbers("938", DEPTH_N)).job
        watcher.start()
        while job.processed_items < min(DEPTH_N, 20_000):
            time.sleep(0.2)
            job.refresh_from_db()
        cancel(job)
    finally:
        done.set()
        watcher.join(5)
        stop(procs)
    row(
        f"broker depth during a {DEPTH_N:,}-recipient send (max messages queued)",
        f"{max(samples)}",
        "msgs",
        f"BULK_CHUNKS_IN_FLIGHT={settings.BULK_CHUNKS_IN_FLIGHT}; all at once: {DEPTH_N // settings.BULK_CHUNK_SIZE}",
    )
