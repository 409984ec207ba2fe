"""Bulk SMS: trigger latency, throughput against a 20 ms gateway, a shared 500/s limit, and the naive seed-000 loop.

Figures (all measured in this run, on this machine):
- trigger latency of POST /notifications/api/sms/bulk/ for a tag of 100 vs 10,000 contacts,
  and for an explicit list of 10,000 numbers (validation included);
- sends/s through real workers and the fake HTTP gateway (20 ms per request) vs the ideal
  (in-flight sends / latency) and vs plain HTTP clients with the same in-flight sends, in
  BENCH_SEND_ROUNDS alternating rounds (3; one run of each varied by 5-10 % here), and with
  SMS_RATE_LIMIT=500/second vs 500/s;
- the same 2,000 sends done the seed-000 way (one loop, one progress write per item,
  sequential; without its 200 ms Task.Delay) as the baseline.
"""

import os
import time

from bench.common import median, percentile, ratio_row, row

WORKERS, CONCURRENCY, THREADS = 1, 2, 8  # worker processes, pool processes each, sending threads per chunk
LATENCY = 0.02
TRIGGERS = 60
ROUNDS = int(os.environ.get("BENCH_SEND_ROUNDS", "3"))  # our sends and the plain clients', alternating


def run():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.test import APIClient

    load = os.getloadavg()[0]
    row("machine: CPUs / load average (1 min) at start", f"{os.cpu_count()} / {load:.1f}", "", "(shared machine)")
    user, _ = get_user_model().objects.get_or_create(username="bench-notifications")
    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(user)
    trigger_latency(client)
    connection.close()
    ours = throughput(user)
    naive = naive_seed_000(user) if os.environ.get("BENCH_SKIP_NAIVE") != "1" else 1.0
    row(
        "2,000 sends: ours vs naive seed-000 loop (end to end)",
        f"{naive / ours:.1f}x",
        "faster",
        f"{ours:.1f}s vs {naive:.1f}s",
    )


# --- trigger latency ------------------------------------------------------------------


def trigger_latency(client):
    from notifications.demo import link_tags, seed_contacts
    from notifications.models import Contact

    seed_contacts(10_000)
    ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    link_tags({pk: ["bench-10k"] for pk in ids[:10_000]})
    link_tags({pk: ["bench-100"] for pk in ids[:100]})
    numbers = [f"0912{i:07d}" for i in range(10_000)]  # national format: every one is parsed and normalised

    cases = [
        ("tag, 100 contacts", {"tag": "bench-100", "message": "Hello"}),
        ("tag, 10,000 contacts", {"tag": "bench-10k", "message": "Hello"}),
        ("explicit list, 10,000 numbers", {"recipients": numbers, "message": "Hello"}),
    ]
    figures = {label: [] for label, _ in cases}
    for i in range(TRIGGERS + 3):  # interleaved, so drift and caches hit every case alike; 3 warm-ups
        for label, payload in cases:
            started = time.perf_counter()
            response = client.post("/notifications/api/sms/bulk/", payload, format="json")
            elapsed = time.perf_counter() - started
            assert response.status_code == 202, (response.status_code, response.content[:300])
            if i >= 3:
                figures[label].append(elapsed)
    for label, samples in figures.items():
        p50, p99 = percentile(samples, 50) * 1000, percentile(samples, 99) * 1000
        goal = "(goal: p50 < 150 ms)" if label.startswith("explicit") else ""
        row(f"trigger latency p50 / p99: {label}", f"{p50:.1f} / {p99:.1f}", "ms", goal)
    small, big = (percentile(figures[k], 50) for k in ("tag, 100 contacts", "tag, 10,000 contacts"))
    row("trigger p50 ratio: tag of 10,000 vs tag of 100", f"{big / small:.2f}", "x", "(goal: near 1)")
    purge()


def purge():
    from django.conf import settings

    from config.celery import app

    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()


# --- throughput through real workers ----------------------------------------------------------


def start_workers(gateway, **extra):
    from tests.workers import SEND_QUEUES, WorkerProcess

    env = {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_API_KEY": gateway.api_key,
        "BULK_SEND_CONCURRENCY": str(THREADS),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return [WorkerProcess(queues=SEND_QUEUES, concurrency=CONCURRENCY, env=env).start() for _ in range(WORKERS)]


def send_and_wait(user, n, offset):
    from jobs.models import BackgroundJob
    from notifications.audience import resolve_audience
    from notifications.campaigns import start_campaign

    recipients = [f"+98935{i:07d}" for i in range(offset, offset + n)]
    started = time.perf_counter()
    campaign = start_campaign(user, resolve_audience("sms", recipients=recipients), body="Bench")
    job = campaign.job
    while True:
        job.refresh_from_db()
        if job.status in BackgroundJob.FINISHED:
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    assert job.status == BackgroundJob.Status.COMPLETED and job.success_count == n, (job.status, job.success_count)
    return elapsed


def accept_rate(gateway):
    times = sorted(gateway.accept_times)
    return (len(times) - 1) / (times[-1] - times[0])


def max_in_one_second(gateway):
    times = sorted(gateway.accept_times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


RAW_CLIENT = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["BULK_SEND_CONCURRENCY"] = sys.argv[3]
import django
django.setup()
from concurrent.futures import ThreadPoolExecutor
from notifications.backends import SmsMessage, get_sms_backend
backend = get_sms_backend("http", url=sys.argv[1], api_key="test-key")
first, n, width = int(sys.argv[4]), int(sys.argv[2]), int(sys.argv[3])
with ThreadPoolExecutor(width) as pool:
    list(pool.map(lambda i: backend.send(SmsMessage(f"+98937{i:07d}", "Bench", f"raw-{i}")), range(first, first + n)))
"""


def raw_client_rate(gateway, n=2000):
    """The same in-flight sends straight from plain processes (no Celery, no database): the
    ceiling this machine and this gateway allow right now."""
    import subprocess
    import sys

    from bench.common import BASE_DIR

    gateway.reset()
    procs = WORKERS * CONCURRENCY
    clients = [
        subprocess.Popen(
            [sys.executable, "-c", RAW_CLIENT, gateway.url, str(n // procs), str(THREADS), str(i * n)], cwd=BASE_DIR
        )
        for i in range(procs)
    ]
    for c in clients:
        c.wait()
    rate = accept_rate(gateway)
    gateway.reset()
    return rate


def throughput(user):
    from tests.fakes.sms_gateway import FakeSmsGateway

    in_flight = WORKERS * CONCURRENCY * THREADS
    ideal = in_flight / LATENCY
    with FakeSmsGateway(latency=LATENCY) as gateway:
        workers = start_workers(gateway)
        try:
            send_and_wait(user, 200, offset=900_000)  # warm-up: connections, imports
            rounds = []  # (seconds end to end, our sends/s, the plain clients' sends/s), adjacent
            for i in range(ROUNDS):
                gateway.reset()
                seconds = send_and_wait(user, 2000, offset=i * 2000)
                rounds.append((seconds, accept_rate(gateway), raw_client_rate(gateway)))
            ours = median([seconds for seconds, _, _ in rounds])
            rate = median([rate for _, rate, _ in rounds])
            row(
                f"sends/s, 20 ms gateway, no limit ({in_flight} in flight)",
                f"{rate:.0f}",
                "/s",
                f"ideal {ideal:.0f}/s; median of {ROUNDS} rounds",
            )
            ratio_row("  vs ideal (in-flight / latency)", [r / ideal for _, r, _ in rounds], "x", "(goal: >= 0.9)")
            ratio_row(
                "  vs plain HTTP clients, same in-flight, no Celery/DB",
                [r / raw for _, r, raw in rounds],
                "x",
                f"they did {median([raw for _, _, raw in rounds]):.0f}/s (goal: >= 0.95)",
            )
            row("  2,000 sends end to end (trigger -> Completed)", f"{ours:.2f}", "s")
        finally:
            for w in workers:
                w.stop()
        workers = start_workers(gateway, SMS_RATE_LIMIT="500/second")
        try:
            gateway.reset()
            send_and_wait(user, 3000, offset=10_000)
            rate = accept_rate(gateway)
            row(
                "sends/s with SMS_RATE_LIMIT=500/second",
                f"{rate:.0f}",
                "/s",
                f"max {max_in_one_second(gateway)} in any 1 s",
            )
            row("  vs 500/s", f"{rate / 500:.2f}", "x", "(goal: >= 0.9)")
        finally:
            for w in workers:
                w.stop()
    return ours


# --- baseline: seed 000's SendBulkSms loop ----------------------------------------------------


def naive_seed_000(user):
    """One loop, sequential sends, one progress UPDATE per item (seed 000's UpdateProgressAsync)."""
    from jobs.models import BackgroundJob
    from notifications.backends import SmsMessage, get_sms_backend
    from tests.fakes.sms_gateway import FakeSmsGateway

    contacts = [f"+98936{i:07d}" for i in range(2000)]
    with FakeSmsGateway(latency=LATENCY) as gateway:
        backend = get_sms_backend("http", url=gateway.url, api_key=gateway.api_key)
        started = time.perf_counter()
        job = BackgroundJob.objects.create(
            job_type=0, title="naive", created_by=user, total_items=len(contacts), task_name="naive", task_id="naive"
        )
        BackgroundJob.objects.filter(pk=job.pk).update(status=1)
        processed = success = failed = 0
        for number in contacts:
            try:
                backend.send(SmsMessage(number, "Bench"))
                success += 1
            except Exception:
                failed += 1
            processed += 1
            BackgroundJob.objects.filter(pk=job.pk).update(
                progress=processed * 100 // len(contacts),
                processed_items=processed,
                success_count=success,
                failed_count=failed,
            )
        BackgroundJob.objects.filter(pk=job.pk).update(status=2)
        elapsed = time.perf_counter() - started
    row("naive seed-000 loop: 2,000 sends", f"{len(contacts) / elapsed:.0f}", "/s", f"{elapsed:.1f}s")
    return elapsed
