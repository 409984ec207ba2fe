"""Jobs: throughput of no-op jobs through the tracking API vs bare Celery tasks; DB writes per job.

Same broker, same worker (one process group, maintenance queue), same run:
- baseline: N bare `demo.noop` (ignore_result) sent with apply_async;
- jobs: N `start_job(noop_job, ...)`: a BackgroundJob row, the message, JobTask
  moving it Pending -> Running -> Completed (three writes per job: the INSERT and
  two UPDATEs; the Running write is what lets the reaper see a job whose worker died).
Both sides run as in production, with DEBUG off (bench/common.py).
A round is timed from the first send to the last `task-succeeded` event (Celery's
monitoring events, sent by the worker for both kinds alike). Rounds alternate
bare/jobs; each adjacent pair gives a ratio (pairs share the machine's load of
the moment) and the figure is the median ratio jobs/bare (goal >= 0.8).

DB writes are counted in a separate phase (counting costs a little), where they
happen: in this process with a Django execute wrapper around start_job, and in
the worker with the same wrapper in every pool process (bench/write_counter.py),
summed in Redis. Every INSERT/UPDATE/DELETE on the connection counts, whoever
issues it (tracking API, django-celery-results).
"""

import os
import threading
import time
from collections import Counter
from pathlib import Path

from bench.common import median, ratio_row, row

N = int(os.environ.get("BENCH_JOBS_N", "150"))
ROUNDS = int(os.environ.get("BENCH_JOBS_ROUNDS", "6"))
CONCURRENCY = int(os.environ.get("BENCH_JOBS_CONCURRENCY", "2"))
WRITES_N = 100
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class Succeeded:
    """The ids of every task that succeeded, from a Celery event receiver thread."""

    def __init__(self, app):
        self.app, self.ids, self.receiver = app, set(), None
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while self.receiver is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # its queue is bound once it consumes

    def _run(self):
        with self.app.connection_for_read() as conn:
            self.receiver = self.app.events.Receiver(
                conn, handlers={"task-succeeded": self._on_succeeded, "*": lambda event: None}
            )
            self.receiver.capture(limit=None, timeout=None, wakeup=False)

    def _on_succeeded(self, event):
        with self.changed:
            self.ids.add(event["uuid"])
            self.changed.notify_all()

    def wait(self, ids, timeout=300):
        missing = set(ids)
        with self.changed:
            if not self.changed.wait_for(lambda: not (missing - self.ids), timeout):
                raise RuntimeError(f"{len(missing - self.ids)} of {len(missing)} tasks did not finish")

    def stop(self):
        if self.receiver:
            self.receiver.should_stop = True
            self.thread.join(5)


def run():
    from django.test import override_settings

    with override_settings(DEBUG=False):  # as its workers (bench/common.py)
        measure()


def measure():
    import redis
    from django.contrib.auth import get_user_model
    from django.db import connection

    from config.celery import app
    from crm.tasks import noop, noop_job
    from jobs.models import BackgroundJob
    from jobs.tracking import start_job
    from tests.workers import WorkerProcess

    user, _ = get_user_model().objects.get_or_create(username="bench")
    succeeded = Succeeded(app)

    def bare(n):
        return [noop.apply_async().id for _ in range(n)]

    def jobs(n):
        return [start_job(noop_job, user=user, job_type=4, title="noop").task_id for _ in range(n)]

    def rate(send, n):
        """(tasks per second end to end, worker CPU seconds per task) for n tasks."""
        cpu, started = group_cpu(worker.proc.pid), time.perf_counter()
        succeeded.wait(send(n))
        elapsed = time.perf_counter() - started
        return n / elapsed, (group_cpu(worker.proc.pid) - cpu) / n

    # --- throughput -----------------------------------------------------------------
    worker = WorkerProcess(queues="maintenance", concurrency=CONCURRENCY).start()
    try:
        rate(bare, 20), rate(jobs, 20)  # warm up both paths
        rounds = [(rate(bare, N), rate(jobs, N)) for _ in range(ROUNDS)]
    finally:
        worker.stop()
    ours = BackgroundJob.objects.filter(created_by=user)  # the other benchmarks share the database
    completed, started = ours.filter(status=BackgroundJob.Status.COMPLETED).count(), ours.count()

    # --- DB writes ------------------------------------------------------------------
    client = redis.Redis.from_url(app.conf.broker_url)
    client.delete("bench:writes")
    enqueue_writes = Counter()

    def count_enqueue(execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in WRITE_VERBS:
            enqueue_writes[f"{verb} (enqueue)"] += 1
        return execute(sql, params, many, context)

    worker = WorkerProcess(
        queues="maintenance",
        concurrency=CONCURRENCY,
        env={"DJANGO_SETTINGS_MODULE": "bench.settings_count_writes"},
    ).start()
    try:
        with connection.execute_wrapper(count_enqueue):
            ids = jobs(WRITES_N)
        succeeded.wait(ids)
        time.sleep(0.5)  # the last task_postrun report lands after the event
        job_writes = _writes(client)
        succeeded.wait(bare(WRITES_N))
        time.sleep(0.5)
        bare_writes = sum(_writes(client).values()) - sum(job_writes.values())
    finally:
        worker.stop()
        succeeded.stop()

    pairs = [(bare_rate, jobs_rate) for (bare_rate, _), (jobs_rate, _) in rounds]
    bare_rates, job_rates = zip(*pairs, strict=True)
    row(f"bare Celery no-op tasks ({N}/round, median of {ROUNDS})", f"{median(bare_rates):.0f}", "tasks/s")
    row(f"no-op jobs via start_job + JobTask ({N}/round, median of {ROUNDS})", f"{median(job_rates):.0f}", "jobs/s")
    ratio_row(
        "throughput ratio jobs / bare (median of adjacent rounds)",
        [jobs_rate / bare_rate for bare_rate, jobs_rate in pairs],
        goal="goal >= 0.8",
    )
    bare_cpu = median([cpu for (_, cpu), _ in rounds])
    jobs_cpu = median([cpu for _, (_, cpu) in rounds])
    row("worker CPU per bare task", f"{bare_cpu * 1000:.2f}", "ms")
    row("worker CPU per job", f"{jobs_cpu * 1000:.2f}", "ms")
    row(
        "worker CPU ratio (bare CPU per task / job CPU per job)",
        f"{bare_cpu / jobs_cpu:.2f}",
        "",
        "less load-dependent",
    )
    row("jobs Completed / started", f"{completed}/{started}")
    total = sum(enqueue_writes.values()) + sum(job_writes.values())
    row("DB writes per job (enqueue + worker)", f"{total / WRITES_N:.2f}", "writes")
    for field, n in sorted({**enqueue_writes, **job_writes}.items()):
        row(f"  {field}", f"{n / WRITES_N:.2f}", "writes")
    row("DB writes per bare task", f"{bare_writes / WRITES_N:.2f}", "writes")


def group_cpu(pgid) -> float:
    """CPU seconds (user + system) used so far by every process of a process group
    (a worker started in its own session: main process and pool children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _writes(client) -> dict:
    return {key.decode(): int(value) for key, value in client.hgetall("bench:writes").items()}
