"""Fair scheduling on real workers, a real broker and the fake HTTP gateway: bounded fan-out,
small sends ahead of bulk chunks, sends of different owners side by side."""

import threading

import pytest

from jobs.maintenance import reap_stuck_jobs
from jobs.models import BackgroundJob
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from notifications.models import Delivery
from tests.workers import wait_for

from .conftest import gateway_env, numbers, queue_lengths, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)
Status = BackgroundJob.Status


def start_sms(user, recipients, **kwargs):
    return start_campaign(user, resolve_audience("sms", recipients=recipients), body="Hello", **kwargs)


class BrokerDepth:
    """Samples the notifications queue's depth (every priority list) in a thread."""

    def __init__(self):
        self.samples, self._stop = [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.samples.append(queue_lengths()["notifications"] or 0)
            self._stop.wait(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(5)


def test_broker_never_holds_more_than_the_in_flight_bound(worker_factory, gateway, alice):
    # given a send of 40 chunks and at most 3 of its chunk messages queued or running at once
    gateway.latency = 0.01
    worker_factory(env=gateway_env(gateway, BULK_CHUNK_SIZE=10, BULK_CHUNKS_IN_FLIGHT=3))

    # when
    with BrokerDepth() as depth:
        campaign = start_sms(alice, numbers(400))
        job = wait_finished(campaign.job)

    # then the queue never held more than the bound (the planner's own message included)
    assert job.status == Status.COMPLETED
    assert max(depth.samples) <= 3
    assert len(depth.samples) > 20  # it was watched while sending
    assert gateway.accepted == {n: 1 for n in numbers(400)}


def test_a_small_send_completes_while_a_large_one_runs(worker_factory, gateway, alice, bob):
    # given alice's send of 600 under a 100/s provider limit (about 6 s), already sending
    worker_factory(env=gateway_env(gateway, SMS_RATE_LIMIT="100/second", BULK_CHUNK_SIZE=20))
    large = start_sms(alice, numbers(600)).job
    wait_for(lambda: large.refresh_from_db() or large.processed_items > 0, message="the large send to start")

    # when bob sends to 5 numbers
    small = start_sms(bob, numbers(5, start=10_000)).job
    wait_finished(small)

    # then bob's send completed while alice's was still going
    large.refresh_from_db()
    assert small.status == Status.COMPLETED
    assert large.status == Status.RUNNING
    assert large.processed_items < 600
    assert small.priority > large.priority  # it went ahead of the bulk chunks
    wait_finished(large)
    assert large.success_count == 600


def test_the_high_lane_has_its_own_worker_while_bulk_chunks_hold_every_process(worker_factory, gateway, alice, bob):
    # given the Procfile's two workers: one for bulk (2 processes), one for the urgent queue
    env = gateway_env(gateway, SMS_RATE_LIMIT="100/second", BULK_CHUNK_SIZE=300, BULK_CHUNK_SECONDS=60)
    worker_factory(queues="notifications", env=env)
    worker_factory(queues="urgent", pool="threads", concurrency=4, env=env)
    # and alice's send of 600 in two chunks of 300, one on each bulk process (about 6 s)
    large = start_sms(alice, numbers(600)).job
    wait_for(lambda: large.refresh_from_db() or large.processed_items > 0, message="the large send to start")

    # when bob sends to 5 numbers
    small = start_sms(bob, numbers(5, start=10_000)).job
    wait_finished(small)

    # then his send went to the urgent queue and completed while both bulk processes still sent
    large.refresh_from_db()
    assert (small.queue, small.status) == ("urgent", Status.COMPLETED)
    assert large.queue == "notifications" and large.status == Status.RUNNING
    assert gateway.accepted.keys() >= set(numbers(5, start=10_000))
    wait_finished(large)
    assert large.success_count == 600


def test_two_owners_sends_progress_side_by_side(worker_factory, gateway, alice, bob):
    # given two sends of 400 started one after the other, sharing a 100/s provider limit
    worker_factory(env=gateway_env(gateway, SMS_RATE_LIMIT="100/second", BULK_CHUNK_SIZE=20))
    first = start_sms(alice, numbers(400)).job
    second = start_sms(bob, numbers(400, start=10_000)).job

    # when the first one is done
    wait_finished(first)
    second.refresh_from_db()

    # then the second was not left waiting behind all of the first's chunks
    assert first.status == Status.COMPLETED
    assert second.processed_items >= 200
    wait_finished(second)
    assert second.success_count == 400


@pytest.mark.chaos  # worker kills or restarts, long waits: CI runs it once
def test_every_recipient_exactly_once_when_killed_during_bounded_fan_out(worker_factory, gateway, alice):
    # given a bounded fan-out (2 chunks of 25 in flight) through a gateway slow enough to catch sends
    gateway.latency = 0.01
    env = gateway_env(gateway, BULK_CHUNK_SIZE=25, BULK_CHUNKS_IN_FLIGHT=2)
    worker = worker_factory(env=env)
    campaign = start_sms(alice, numbers(600))
    job = campaign.job

    # when the worker is SIGKILLed with sends in flight (the gateway slowed down so that rows are
    # claimed and not yet recorded: at 10 ms a send, a kill could fall between two chunks, and
    # then the surviving continuation finishes the job with nothing to recover)
    wait_for(lambda: gateway.total_accepted >= 200, timeout=60, message="200 messages accepted")
    gateway.latency = 0.5
    sending = campaign.deliveries.filter(status=Delivery.Status.SENDING)
    wait_for(sending.exists, timeout=10, message="sends in flight")
    worker.kill()
    assert sending.exists()  # the dead worker's chunks and their continuations are lost
    gateway.latency = 0.01
    worker_factory(env=env)
    # and the reaper finds the job without a heartbeat and resumes its planner
    wait_for(lambda: reap_stuck_jobs(stuck_after=0)["resumed"], timeout=30, message="the reaper to resume the job")
    wait_finished(job, timeout=90)

    # then every recipient got exactly one message
    assert job.status == Status.COMPLETED
    assert gateway.accepted == {n: 1 for n in numbers(600)}
    assert job.success_count == 600
    assert not campaign.deliveries.exclude(status=Delivery.Status.SENT).exists()
