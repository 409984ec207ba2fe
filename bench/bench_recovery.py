"""Crash recovery: time from a worker's SIGKILL to the job's progress moving again, default settings.

A 2,000-recipient SMS send (fake HTTP gateway, 100 ms per request) runs in two chunks, both
on one worker, so that nothing else of the job is queued: after a SIGKILL (main process
and pool children) only the reaper can bring it back. A supervisor restarts the worker at
once; the reaper runs every 5 s as beat runs it, with the default JOBS_STUCK_AFTER. Each
kill is timed until the job's processed count moves again; p50 and max over the kills.
Goal (issue 11): p50 at most 30 s. Afterwards: every recipient messaged once.
"""

import os
import time

from bench.common import percentile, row

KILLS = 5
RECIPIENTS = 2000


def run():
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from notifications.audience import resolve_audience
    from notifications.campaigns import start_campaign
    from tests.fakes.sms_gateway import FakeSmsGateway
    from tests.workers import SEND_QUEUES, WorkerProcess, reaper_every, wait_for

    load = os.getloadavg()[0]
    row("machine: CPUs / load average (1 min) at start", f"{os.cpu_count()} / {load:.1f}", "", "(shared machine)")
    row("JOBS_STUCK_AFTER / reaper period (defaults)", f"{settings.JOBS_STUCK_AFTER} / 5", "s")
    user, _ = get_user_model().objects.get_or_create(username="bench-recovery")
    recipients = [f"+98935{i:07d}" for i in range(RECIPIENTS)]
    with FakeSmsGateway(latency=0.1, seed=3) as gateway:
        env = {
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": gateway.url,
            "SMS_GATEWAY_API_KEY": gateway.api_key,
            "BULK_CHUNK_SIZE": str(RECIPIENTS // 2),
            "BULK_SEND_CONCURRENCY": "4",
        }
        worker = WorkerProcess(queues=SEND_QUEUES, env=env).start()
        job = start_campaign(user, resolve_audience("sms", recipients=recipients), body="Recovery").job

        def processed():
            job.refresh_from_db()
            return job.processed_items

        delays = []
        try:
            with reaper_every():
                for kill in range(KILLS):
                    before = processed()
                    wait_for(lambda b=before: processed() > b + 20, timeout=120, message=f"progress before kill {kill}")
                    at_kill = processed()
                    killed = time.monotonic()
                    worker.kill()
                    worker = WorkerProcess(queues=SEND_QUEUES, env=env).start()  # the supervisor's restart
                    wait_for(lambda a=at_kill: processed() > a, timeout=180, interval=0.1, message="progress again")
                    delays.append(time.monotonic() - killed)
                wait_for(lambda: job.refresh_from_db() or job.status in job.FINISHED, timeout=300, interval=0.2)
        finally:
            worker.stop()
        once = gateway.accepted == {r: 1 for r in recipients}
    p50, worst = percentile(delays, 50), max(delays)
    row(f"SIGKILL -> progress moving again, p50 / max over {KILLS} kills", f"{p50:.1f} / {worst:.1f}", "s",
        f"(goal: p50 <= 30 s; each: {', '.join(f'{d:.0f}' for d in delays)})")  # fmt: skip
    row("job status; every recipient messaged exactly once", f"{job.get_status_display()}; {once}", "")
