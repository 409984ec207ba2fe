"""SMS_RATE_LIMIT holds across every worker process (limits + Redis), waiting instead of failing."""

import pytest

from jobs.models import BackgroundJob
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from tests.workers import wait_for

from .conftest import gateway_env, numbers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]


def test_rate_limit_is_shared_by_two_workers(worker_factory, gateway, alice):
    # given a gateway answering 429 above 60 requests per second, and two workers limited to 50/s together
    gateway.rate_limit = 60
    env = gateway_env(gateway, SMS_RATE_LIMIT="50/second", BULK_CHUNK_SIZE="75")
    worker_factory(env=env)
    worker_factory(env=env)

    # when (two chunks of 75, one per worker, sending at the same time)
    campaign = start_campaign(alice, resolve_audience("sms", recipients=numbers(150)), body="Hi")
    seen = set()

    def done():
        campaign.job.refresh_from_db()
        seen.add(campaign.job.processed_items)
        return campaign.job.status in BackgroundJob.FINISHED

    wait_for(done, timeout=60, interval=0.1, message="job to finish")
    job = campaign.job

    # then nothing was refused for going too fast, and everyone got the message once
    assert job.status == BackgroundJob.Status.COMPLETED
    assert job.success_count == 150
    assert gateway.status_counts[429] == 0
    assert gateway.accepted == {n: 1 for n in numbers(150)}
    times = sorted(gateway.accept_times)
    assert all(times[i + 50] - times[i] >= 0.9 for i in range(len(times) - 50))  # <= 50 in any second
    # progress moved while the chunks were still sending, not only when they ended
    assert {n for n in seen if 0 < n < 150 and n % 75}
