"""Cancelling a running bulk send stops it within a chunk; nothing more is sent."""

import time

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import cancel_job
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from tests.workers import wait_for

from .conftest import gateway_env, numbers, wait_finished

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]


def test_cancelled_send_stops_and_leaves_the_rest_queued(worker_factory, gateway, alice):
    # given a running send, slow enough that it cannot finish before the cancel lands
    gateway.latency = 0.05
    worker_factory(env=gateway_env(gateway))
    campaign = start_campaign(alice, resolve_audience("sms", recipients=numbers(1000)), body="Hi")
    wait_for(lambda: gateway.total_accepted >= 50, timeout=30, message="sending to start")

    # when
    assert cancel_job(campaign.job)
    job = wait_finished(campaign.job)
    time.sleep(1)
    settled = gateway.total_accepted
    time.sleep(1)

    # then
    assert job.status == BackgroundJob.Status.CANCELLED
    assert gateway.total_accepted == settled < 1000
    assert campaign.deliveries.filter(status="queued").exists()
    assert not campaign.deliveries.filter(status="sending").exists()
    assert max(gateway.accepted.values()) == 1
