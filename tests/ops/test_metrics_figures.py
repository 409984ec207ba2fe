"""/metrics figures match the database, the broker and the shared counters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config import sharedstate
from config.brokers import is_redis
from config.celery import app
from jobs.maintenance import reap_stuck_jobs
from jobs.models import BackgroundJob
from jobs.tracking import start_job
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from notifications.models import Delivery
from tests.jobs.factories import BackgroundJobFactory
from tests.notifications.conftest import gateway_env, numbers, wait_finished

from .conftest import scrape

pytestmark = pytest.mark.django_db(transaction=True)


def labels(**kw):
    return frozenset(kw.items())


def counter(name, **kw):
    return sharedstate.counters([name])[name]


def test_figures_match_the_database_after_a_real_send(worker_factory, gateway, alice, staff_client):
    # given a gateway that rejects 3 numbers, and workers limited to 40 SMS a second
    gateway.reject = set(numbers(3))
    wait_before = counter("sms_rate_limit_wait_seconds")
    worker_factory(env=gateway_env(gateway, SMS_RATE_LIMIT="40/second", BULK_CHUNK_SIZE="30"))

    # when 90 numbers get an SMS, and another job fails
    campaign = start_campaign(alice, resolve_audience("sms", recipients=numbers(90)), body="Hi")
    failing = start_job(
        "demo.count_items", user=alice, job_type=BackgroundJob.JobType.EXPORT, title="x", kwargs={"fail_at": 1}
    )
    job = wait_finished(campaign.job)
    wait_finished(failing)
    samples = scrape(staff_client)

    # then jobs by type and status are the table's
    assert job.status == BackgroundJob.Status.COMPLETED
    for job_type in BackgroundJob.JobType:
        for status in BackgroundJob.Status:
            expected = BackgroundJob.objects.filter(job_type=job_type, status=status).count()
            key = ("crm_jobs", labels(type=job_type.name.lower(), status=status.name.lower()))
            assert samples[key] == expected, key
    assert samples[("crm_jobs", labels(type="sms", status="completed"))] == 1
    assert samples[("crm_jobs", labels(type="export", status="failed"))] == 1
    # deliveries by outcome are the ledger's, and the job's counters
    assert samples[("crm_deliveries", labels(channel="sms", status="sent"))] == 87 == job.success_count
    assert samples[("crm_deliveries", labels(channel="sms", status="failed"))] == 3 == job.failed_count
    assert samples[("crm_deliveries", labels(channel="sms", status="queued"))] == 0
    assert Delivery.objects.filter(status="sent").count() == 87
    # the duration histogram holds each finished job once, in the right buckets
    sms = labels(type="sms", status="completed")
    assert samples[("crm_job_duration_seconds_bucket", sms | {("le", "+Inf")})] == 1
    assert samples[("crm_job_duration_seconds_gcount", sms)] == 1
    seconds = job.duration.total_seconds()
    assert samples[("crm_job_duration_seconds_gsum", sms)] == pytest.approx(seconds, abs=0.01)
    assert samples[("crm_job_duration_seconds_bucket", sms | {("le", "1.0")})] == (1 if seconds <= 1 else 0)
    assert samples[("crm_job_duration_seconds_bucket", sms | {("le", "7200.0")})] == 1
    assert samples[("crm_job_duration_seconds_gcount", labels(type="export", status="failed"))] == 1
    # nothing is left waiting in the broker
    for queue in ("default", "notifications", "emails", "reports", "maintenance"):
        assert samples[("crm_queue_messages", labels(queue=queue))] == 0
    # 90 sends at 40 a second made the senders wait, and every worker process's waits add up
    waited = samples[("crm_sms_rate_limit_wait_seconds_total", frozenset())] - wait_before
    assert waited > 0.5
    assert samples[("crm_sms_rate_limit_wait_seconds_total", frozenset())] == counter("sms_rate_limit_wait_seconds")


@pytest.mark.queue
def test_queue_depth_counts_waiting_messages_of_every_priority(purge_queues, alice, staff_client):
    # given no worker, and 3 job messages waiting in the maintenance queue (one with a priority)
    for priority in (None, None, 5):
        start_job(
            "demo.count_items",
            user=alice,
            job_type=BackgroundJob.JobType.EXPORT,
            title="waiting",
            queue="maintenance",
            priority=priority,
        )

    # when scraped
    samples = scrape(staff_client)

    # then the backlog is there, and on Redis the oldest message's age too (RabbitMQ does not tell it)
    assert samples[("crm_queue_messages", labels(queue="maintenance"))] == 3
    assert samples[("crm_queue_messages", labels(queue="reports"))] == 0
    ages = {dict(key[1])["queue"]: value for key, value in samples.items() if key[0].endswith("_age_seconds")}
    if is_redis(app.conf.broker_url):
        assert 0 < ages["maintenance"] < 600 and ages["reports"] == 0
    else:
        assert ages == {}
    with app.connection_for_write() as conn:  # leave the broker clean for the next tests
        for queue in app.conf.task_queues:
            queue.bind(conn.default_channel).purge()


def test_reaper_outcomes_are_counted(alice, staff_client):
    # given a job whose worker died long ago (not resumable)
    before = scrape(staff_client)[("crm_reaper_jobs_total", labels(outcome="failed"))]
    long_ago = timezone.now() - timedelta(hours=1)
    BackgroundJobFactory(created_by=alice, running=True, started_at=long_ago, heartbeat_at=long_ago)

    # when the reaper runs
    outcome = reap_stuck_jobs(inspect_timeout=0.2)

    # then the failure is counted
    assert outcome["failed"] == 1
    assert scrape(staff_client)[("crm_reaper_jobs_total", labels(outcome="failed"))] == before + 1
