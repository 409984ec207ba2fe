"""Crash recovery of bulk sends on real workers: warm shutdown hands work back at once,
a chunk waiting on the provider's limit is never taken for dead, and any number of
SIGKILLs end with every recipient messaged once and counters equal to the ledger."""

import random
import threading
import time

import pytest

from jobs.models import BackgroundJob
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from tests.workers import reaper_every, wait_for

from .conftest import assert_counters_match_ledger, gateway_env, numbers, wait_finished

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]
Status = BackgroundJob.Status
CHUNK_RECEIVED = "Task notifications.send_sms_chunk["


def processed(job):
    job.refresh_from_db()
    return job.processed_items


@pytest.mark.chaos  # worker kills or restarts, long waits: CI runs it once
def test_warm_shutdown_hands_the_chunks_to_another_worker_at_once(worker_factory, gateway, alice):
    # given a send whose two chunks both run on worker A, and an idle worker B
    gateway.latency = 0.02
    # long chunks (no time slices): only the warm shutdown can hand them back early
    env = gateway_env(gateway, BULK_CHUNK_SIZE="1500", BULK_CHUNK_SECONDS="120")
    first = worker_factory(env=env)
    campaign = start_campaign(alice, resolve_audience("sms", recipients=numbers(3000)), body="Deploy")
    job = campaign.job
    wait_for(lambda: processed(job) >= 100, timeout=60, message="A to be sending both chunks")
    second = worker_factory(env=env)
    planner_task_id = job.task_id

    # when A is stopped for a deploy (SIGTERM, warm shutdown)
    stopped_at = time.monotonic()
    stopping = threading.Thread(target=first.stop, kwargs={"timeout": 60})
    stopping.start()

    # then A hands its chunks back at once and B continues them, without the reaper
    wait_for(lambda: CHUNK_RECEIVED in second.log(), timeout=15, message="B to receive the rest of a chunk")
    received_after = time.monotonic() - stopped_at
    at_handover = processed(job)
    wait_for(lambda: processed(job) > at_handover, timeout=15, message="the second worker to continue")
    continued_after = time.monotonic() - stopped_at
    stopping.join()
    exited_after = time.monotonic() - stopped_at
    at_exit = processed(job)
    print(
        f"warm shutdown: B received the rest {received_after:.1f}s and moved the job {continued_after:.1f}s "
        f"after the SIGTERM; A exited after {exited_after:.1f}s"
    )
    assert at_exit < 3000
    assert "warm shutdown: the running job task hands its work back" in first.log()
    wait_finished(job, timeout=120)
    assert job.status == Status.COMPLETED
    assert gateway.accepted == {r: 1 for r in numbers(3000)}
    assert_counters_match_ledger(job, campaign)
    assert job.task_id == planner_task_id  # handed over chunk by chunk: the job was never resumed


@pytest.mark.chaos  # worker kills or restarts, long waits: CI runs it once
def test_a_chunk_waiting_on_the_provider_limit_is_never_taken_for_dead(worker_factory, gateway, alice, settings):
    # given a provider limit of 2 per minute: the second pair of messages waits about 60 s
    settings.JOBS_STUCK_AFTER = 3
    env = gateway_env(gateway, SMS_RATE_LIMIT="2/minute", BULK_SEND_CONCURRENCY="2", JOBS_PROGRESS_INTERVAL="0.5")
    worker_factory(env=env)
    campaign = start_campaign(alice, resolve_audience("sms", recipients=numbers(4)), body="Slowly")
    job = campaign.job
    wait_for(lambda: gateway.total_accepted >= 2, timeout=30, message="the first pair to be sent")

    # when the reaper runs all along with a 3 s JOBS_STUCK_AFTER
    with reaper_every(0.5) as outcomes:
        wait_finished(job, timeout=150)

    # then the waiting chunk was never even a candidate: it kept heartbeating
    assert len(outcomes) > 50
    assert not any(any(outcome.values()) for outcome in outcomes)
    assert job.status == Status.COMPLETED
    assert gateway.accepted == {r: 1 for r in numbers(4)}
    assert max(gateway.accept_times) - min(gateway.accept_times) >= 50  # it really waited for the window
    assert_counters_match_ledger(job, campaign)


@pytest.mark.chaos
def test_ten_sigkills_with_default_recovery_settings(worker_factory, gateway, alice, settings):
    # given a 3,000-recipient send, the default JOBS_STUCK_AFTER and the reaper every 5 s
    assert settings.JOBS_STUCK_AFTER == 20
    gateway.latency = 0.05
    env = gateway_env(gateway)
    env.pop("JOBS_PROGRESS_INTERVAL")
    recipients = numbers(3000)
    rng = random.Random(11)
    worker = worker_factory(env=env)
    campaign = start_campaign(alice, resolve_audience("sms", recipients=recipients), body="Chaos")
    job = campaign.job

    with reaper_every() as outcomes:
        # when the worker (main process and pool children) is SIGKILLed 10 times at random moments
        for kill in range(10):
            before = processed(job)
            wait_for(lambda b=before: processed(job) > b, timeout=120, message=f"progress before kill {kill + 1}")
            time.sleep(rng.uniform(0, 2))
            worker.kill()
            worker = worker_factory(env=env)
        wait_finished(job, timeout=600)

    # then every recipient got exactly one message, the job completed, counters equal the ledger
    print(f"reaper outcomes: {[o for o in outcomes if any(o.values())]}")
    assert job.status == Status.COMPLETED, job.error_message
    assert gateway.accepted == {r: 1 for r in recipients}
    assert job.success_count == 3000
    assert_counters_match_ledger(job, campaign)
