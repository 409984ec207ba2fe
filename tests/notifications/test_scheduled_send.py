"""Scheduled sends: `sendAt` keeps the job Pending in the database until beat starts it."""

import importlib
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from jobs.models import BackgroundJob
from jobs.tracking import start_due_jobs
from notifications.models import Campaign
from tests.workers import BeatProcess, ValkeyProcess, wait_for

from .conftest import gateway_env, numbers, queue_lengths, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/notifications/api/sms/bulk/"


def iso(dt):
    return timezone.localtime(dt).isoformat()


@pytest.mark.parametrize(
    "send_at",
    [
        "2020-01-01T09:00:00+03:30",  # past
        iso(timezone.now() + timedelta(days=91)),  # beyond BULK_MAX_SCHEDULE_DAYS
        (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S"),  # no offset
        "tomorrow at nine",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
    ],
)
def test_bad_send_at_is_a_400_and_starts_nothing(alice_client, purge_queues, send_at):
    response = alice_client.post(URL, {"recipients": numbers(2), "message": "hi", "sendAt": send_at}, format="json")

    assert response.status_code == 400
    assert response.json()["success"] is False and "sendAt" in response.json()["errors"]
    assert BackgroundJob.objects.count() == 0 and sum(queue_lengths().values()) == 0


def test_scheduled_job_waits_pending_and_can_be_cancelled(alice_client, purge_queues):
    # given
    send_at = timezone.now() + timedelta(hours=2)

    # when
    response = alice_client.post(
        URL, {"recipients": numbers(3), "message": "hi", "sendAt": iso(send_at)}, format="json"
    )

    # then it waits in the database, not in the broker
    assert response.status_code == 202, response.content
    assert "scheduled for" in response.json()["message"]
    job = BackgroundJob.objects.get(pk=response.json()["jobId"])
    item = alice_client.get(f"/jobs/api/{job.pk}/").json()["job"]
    assert item["status"] == 0 and item["scheduledFor"] == timezone.localtime(send_at).strftime("%Y/%m/%d %H:%M")
    assert Campaign.objects.get(job=job).send_at == send_at
    assert start_due_jobs() == 0 and sum(queue_lengths().values()) == 0

    # cancelled before its time, it never starts
    assert alice_client.post(f"/jobs/api/{job.pk}/cancel/").json()["job"]["status"] == 4
    assert start_due_jobs(now=send_at + timedelta(minutes=1)) == 0
    assert sum(queue_lengths().values()) == 0


def test_due_jobs_are_enqueued_once(alice_client, purge_queues):
    send_at = timezone.now() + timedelta(minutes=5)
    for _ in range(2):
        alice_client.post(URL, {"recipients": numbers(1), "message": "hi", "sendAt": iso(send_at)}, format="json")

    assert start_due_jobs(now=send_at - timedelta(seconds=1)) == 0
    assert start_due_jobs(now=send_at) == 2
    assert start_due_jobs(now=send_at + timedelta(seconds=10)) == 0  # never twice
    assert queue_lengths()["urgent"] == 2  # small sends: the high lane's queue


def schedule_beat_task():
    """The beat schedule of migration jobs 0004 (a transactional test flushes migration data)."""
    migration = importlib.import_module("jobs.migrations.0004_campaigns")
    migration.create_periodic_tasks(apps, None, specs=migration.SCHEDULES)


@pytest.mark.chaos  # worker kills or restarts, long waits: CI runs it once
def test_scheduled_send_survives_restarts_and_runs_once_when_due(worker_factory, gateway, alice):
    # given a durable broker of its own, a worker and beat on it
    schedule_beat_task()
    broker = ValkeyProcess(Path(tempfile.mkdtemp(prefix="test-valkey-sched-"))).start()
    env = gateway_env(gateway, REDIS_URL=broker.url, CELERY_BROKER_URL=broker.url)
    worker = worker_factory(env=env)
    beat = BeatProcess(env=env).start()
    from notifications.audience import resolve_audience
    from notifications.campaigns import start_campaign

    recipients = numbers(20)
    send_at = timezone.now() + timedelta(seconds=25)
    campaign = start_campaign(alice, resolve_audience("sms", recipients=recipients), body="Hi", send_at=send_at)
    job = campaign.job
    try:
        # beat runs (at least twice) but the job is not due yet
        wait_for(lambda: beat.log().count("jobs.start_due_jobs") >= 2, timeout=40, message="two beat runs")
        job.refresh_from_db()
        assert job.status == BackgroundJob.Status.PENDING and gateway.requests == 0

        # when everything stops until after the due time, then comes back
        beat.stop()
        worker.stop()
        broker.stop()
        while timezone.now() < send_at + timedelta(seconds=2):
            time.sleep(0.5)
        broker.start()
        worker_factory(env=env)
        beat = BeatProcess(env=env).start()

        # then it runs, once, not before its time
        job = wait_finished(job, timeout=90)
        assert job.status == BackgroundJob.Status.COMPLETED
        assert job.started_at >= send_at
        assert gateway.accepted == {r: 1 for r in recipients}
    finally:
        beat.stop()
        broker.stop()


def test_form_page_schedules_a_send_in_local_time(client, alice, purge_queues):
    client.force_login(alice)
    local = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)

    response = client.post(
        "/notifications/sms/new/",
        {"recipients": numbers(1)[0], "message": "Hi", "send_at": local.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    assert (job.status, job.scheduled_for, job.awaiting_schedule) == (BackgroundJob.Status.PENDING, local, True)
    assert sum(queue_lengths().values()) == 0


def test_form_page_refuses_a_past_time(client, alice):
    client.force_login(alice)
    past = timezone.localtime(timezone.now() - timedelta(hours=1))

    response = client.post(
        "/notifications/sms/new/",
        {"recipients": numbers(1)[0], "message": "Hi", "send_at": past.strftime("%Y-%m-%dT%H:%M")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200 and "must be in the future" in response.content.decode()
    assert not BackgroundJob.objects.exists()
