"""A flaky gateway: 5xx, timeouts and 429s end every recipient sent or failed, with a reason."""

import pytest

from jobs.models import BackgroundJob
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from notifications.models import Delivery

from .conftest import gateway_env, numbers, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)


def test_flaky_gateway_leaves_nothing_queued_and_failures_carry_a_reason(worker_factory, gateway, alice):
    # given a gateway failing 20% with 500, sometimes too slow to answer, 429 above 60/s
    gateway.failure_rate, gateway.timeout_rate, gateway.hang, gateway.rate_limit = 0.2, 0.03, 1.5, 60
    gateway.reject = {"+989120000007"}  # a permanent 4xx
    worker_factory(env=gateway_env(gateway, SMS_GATEWAY_TIMEOUT="0.5", BULK_MAX_ATTEMPTS="3"))
    recipients = numbers(300)

    # when
    campaign = start_campaign(alice, resolve_audience("sms", recipients=recipients), body="Sale!")
    job = wait_finished(campaign.job, timeout=90)

    # then
    assert job.status == BackgroundJob.Status.COMPLETED
    assert not campaign.deliveries.exclude(status__in=Delivery.FINAL).exists()
    sent, failed = campaign.deliveries.counts()
    assert (job.success_count, job.failed_count, job.processed_items) == (sent, failed, 300)
    failures = campaign.deliveries.filter(status=Delivery.Status.FAILED)
    assert failures.filter(recipient="+989120000007", attempts=1).exists()  # permanent: never retried
    assert not failures.filter(error="").exists()
    assert campaign.deliveries.filter(status=Delivery.Status.SENT, attempts__gt=1).exists()  # retried, then sent
    # nobody got a message twice, even after timeouts
    assert max(gateway.accepted.values()) == 1
    assert set(campaign.deliveries.filter(status="sent").values_list("recipient", flat=True)) <= set(gateway.accepted)
    assert gateway.status_counts[500] and gateway.status_counts[429]
