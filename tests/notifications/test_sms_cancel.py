"""Cancelling a running bulk send stops it within a chunk; nothing more is sent, nothing
is left queued, and the counters equal the ledger and the gateway."""

import time

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import cancel_job
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from notifications.models import Delivery
from tests.workers import wait_for

from .conftest import gateway_env, numbers, wait_finished

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]


def settled(job, campaign, gateway):
    """Counters, ledger and gateway agree, and no row is queued or sending. Read in that
    order: once no row is open the ledger's counts are final, and the job's counters are
    compared with them (read the other way round, the counts could predate the settling
    that closed the open rows, and stale counters would match them)."""
    if campaign.deliveries.exclude(status__in=Delivery.FINAL).exists():
        return False
    sent, failed = campaign.deliveries.counts()
    job.refresh_from_db()
    return job.success_count == sent == gateway.total_accepted and job.failed_count == failed


def test_cancelled_send_stops_and_the_counters_equal_the_ledger_and_the_gateway(worker_factory, gateway, alice):
    # given a running send on two processes, slow enough that sends are in flight when the cancel lands
    gateway.latency = 0.05
    worker_factory(env=gateway_env(gateway))
    campaign = start_campaign(alice, resolve_audience("sms", recipients=numbers(1000)), body="Hi")
    wait_for(lambda: gateway.total_accepted >= 50, timeout=30, message="sending to start")

    # when
    assert cancel_job(campaign.job)
    job = wait_finished(campaign.job)
    wait_for(lambda: settled(job, campaign, gateway), timeout=60, message="counters, ledger and gateway to agree")
    accepted = gateway.total_accepted
    time.sleep(1)

    # then nothing more was sent, and every count agrees
    assert job.status == BackgroundJob.Status.CANCELLED
    assert gateway.total_accepted == accepted < 1000
    assert max(gateway.accepted.values()) == 1
    sent, failed = campaign.deliveries.counts()
    assert (job.success_count, job.failed_count, job.processed_items) == (sent, failed, 1000)
    assert sent == gateway.total_accepted
    # what was never sent says so, in words the owner can read
    not_sent = campaign.deliveries.filter(status=Delivery.Status.FAILED)
    assert not_sent.count() == 1000 - sent
    assert set(not_sent.values_list("error", flat=True)) == {"Not sent: the job was cancelled."}
