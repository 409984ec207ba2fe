"""Bulk SMS through the HTTP gateway backend on real workers that get killed mid-send."""

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import resume_job
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from notifications.demo import link_tags
from notifications.models import Contact
from tests.workers import wait_for

from .conftest import assert_counters_match_ledger, gateway_env, numbers, wait_finished

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]
Status = BackgroundJob.Status


def start_sms(user, recipients, body="Hello from the CRM"):
    return start_campaign(user, resolve_audience("sms", recipients=recipients), body=body)


def test_bulk_sms_reaches_every_recipient_once(worker_factory, gateway, alice):
    # given
    worker_factory(env=gateway_env(gateway))
    recipients = numbers(300)

    # when
    campaign = start_sms(alice, recipients)
    job = wait_finished(campaign.job)

    # then
    assert job.status == Status.COMPLETED
    assert (job.total_items, job.success_count, job.failed_count, job.progress) == (300, 300, 0, 100)
    assert gateway.accepted == {r: 1 for r in recipients}
    assert_counters_match_ledger(job, campaign)
    assert campaign.deliveries.filter(provider_message_id="").count() == 0


def test_tag_send_reaches_only_reachable_contacts(worker_factory, gateway, alice):
    # given 30 tagged contacts, 2 of them opted out or inactive, and one untagged
    Contact.objects.bulk_create([Contact(phone=p) for p in numbers(31)])
    link_tags({c.pk: ["vip"] for c in Contact.objects.exclude(phone=numbers(1, start=30)[0])})
    Contact.objects.filter(phone__in=numbers(2)).update(opted_out=True)
    Contact.objects.filter(phone=numbers(1)[0]).update(is_active=False)
    worker_factory(env=gateway_env(gateway))

    # when
    campaign = start_campaign(alice, resolve_audience("sms", tag="vip"), body="VIP sale")
    job = wait_finished(campaign.job)

    # then
    assert job.status == Status.COMPLETED
    assert (job.total_items, job.success_count) == (28, 28)
    assert set(gateway.accepted) == set(numbers(28, start=2))


@pytest.mark.chaos  # worker kills or restarts, long waits: CI runs it once
def test_killed_workers_resume_without_sending_twice(worker_factory, gateway, alice):
    # given a gateway slow enough to catch sends in flight
    gateway.latency = 0.01
    env = gateway_env(gateway)
    recipients = numbers(2000)
    worker = worker_factory(env=env)
    campaign = start_sms(alice, recipients)
    job = campaign.job

    # when the worker is SIGKILLed mid-send at several points, restarted and the job resumed (as the reaper does)
    for kill_at in (250, 900, 1500):
        wait_for(lambda n=kill_at: gateway.total_accepted >= n, timeout=60, message=f"{kill_at} messages accepted")
        worker.kill()
        worker = worker_factory(env=env)
        job.refresh_from_db()
        # As the reaper would. A planner resumed earlier may still be queued: it recovers
        # the job by itself and may finish it first, and then this is a no-op.
        resume_job(job)
    wait_finished(job, timeout=90)

    # then every recipient got exactly one message and the counters equal the ledger
    assert job.status == Status.COMPLETED
    assert gateway.accepted == {r: 1 for r in recipients}
    assert job.success_count + job.failed_count == 2000
    assert job.success_count == 2000
    # the kills did catch messages in flight: they were resent with their idempotency key
    assert gateway.duplicates > 0
    assert_counters_match_ledger(job, campaign)
