"""Provider quotas of several windows and a provider's 429 Retry-After, held by every worker:
sends wait (the job says until when) and continue, never fail."""

import pytest

from jobs.models import BackgroundJob
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from notifications.models import Delivery
from tests.workers import wait_for

from .conftest import gateway_env, numbers, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)
Status = BackgroundJob.Status


def start_sms(user, recipients):
    return start_campaign(user, resolve_audience("sms", recipients=recipients), body="Hello")


def job_item(client, job):
    return client.get(f"/jobs/api/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["job"]


def test_an_exhausted_quota_window_pauses_the_send_until_it_allows(worker_factory, gateway, alice, alice_client):
    # given a provider quota of 5 messages per 4 seconds (as a day's quota would, only shorter)
    gateway.quota, gateway.quota_seconds = 5, 3.5  # the provider itself refuses more (a little leeway)
    worker_factory(env=gateway_env(gateway, SMS_RATE_LIMIT="50/second;5/4 seconds", BULK_QUOTA_MAX_WAIT=0.5))

    # when 12 numbers are sent to
    campaign = start_sms(alice, numbers(12))
    job = campaign.job

    # then after 5 the job waits for the window, saying so, without failing anything
    item = wait_for(
        lambda: (i := job_item(alice_client, job))["waitReason"] and i, timeout=30, message="the job to say it waits"
    )
    assert item["waitReason"].startswith("Waiting for the provider's quota until ")
    assert item["status"] == Status.RUNNING
    assert item["failedCount"] == 0
    assert 0 < gateway.total_accepted <= 5
    # and it continues when the window allows, until everyone got the message once
    wait_finished(job, timeout=60)
    assert job.status == Status.COMPLETED
    assert (job.success_count, job.failed_count) == (12, 0)
    assert gateway.accepted == {n: 1 for n in numbers(12)}
    assert gateway.status_counts[429] == 0
    times = sorted(gateway.accept_times)
    assert all(times[i + 5] - times[i] >= 3.5 for i in range(len(times) - 5))  # <= 5 in any 4 s
    assert job_item(alice_client, job)["waitReason"] is None


def test_a_429_with_retry_after_pauses_every_worker(worker_factory, gateway, alice):
    # given two worker processes sending, and a provider that, after 60 messages, answers
    # 429 with Retry-After: 2 for two seconds
    gateway.latency = 0.01
    gateway.throttle_after, gateway.throttle_seconds = 60, 2.0
    env = gateway_env(gateway, BULK_CHUNK_SIZE=25, BULK_QUOTA_MAX_WAIT=0.5)
    worker_factory(env=env, concurrency=1)
    worker_factory(env=env, concurrency=1)

    # when
    campaign = start_sms(alice, numbers(300))
    job = wait_finished(campaign.job, timeout=90)

    # then every recipient got the message once, and nothing failed or used up an attempt
    assert job.status == Status.COMPLETED
    assert (job.success_count, job.failed_count) == (300, 0)
    assert gateway.accepted == {n: 1 for n in numbers(300)}
    assert set(campaign.deliveries.values_list("attempts", flat=True)) == {1}
    # and only sends already in flight met the 429: no worker sent during the pause
    assert 1 <= gateway.status_counts[429] <= 2 * 8  # two workers' in-flight windows at most
    first = gateway.throttled_at
    during = [t for t in gateway.request_times if first + 0.5 < t < first + 1.9]
    assert during == []
    assert not campaign.deliveries.exclude(status=Delivery.Status.SENT).exists()
