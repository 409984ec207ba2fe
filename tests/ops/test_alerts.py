"""Alert emails to ADMINS: failed jobs, jobs the reaper failed, backed-up queues;
throttled per kind, off unless enabled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config import sharedstate
from config.brokers import is_redis
from config.celery import app
from jobs.maintenance import reap_stuck_jobs
from jobs.models import BackgroundJob
from jobs.tracking import start_job
from ops import alerts
from tests.fakes.smtp_server import SmtpServer
from tests.jobs.factories import BackgroundJobFactory
from tests.notifications.conftest import wait_finished
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
KINDS = ("job-failed", "reaper-failed", "queue:maintenance")


@pytest.fixture(autouse=True)
def no_alert_sent_recently():
    for kind in KINDS:
        sharedstate.forget(f"alert:{kind}")


@pytest.fixture
def alerts_on(settings):
    settings.ALERTS_ENABLED = True
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.ALERTS_THROTTLE = 900


def fail_a_job(user, item=1):
    return start_job(
        "demo.count_items",
        user=user,
        job_type=BackgroundJob.JobType.EXPORT,
        title="Export",
        kwargs={"fail_at": item},
    )


def test_a_failed_job_emails_the_admins_once_per_throttle_window(worker_factory, alice):
    with SmtpServer() as smtp:
        # given a worker with alerts on, sending through a real SMTP server
        worker = worker_factory(
            env={"ALERTS_ENABLED": "true", "ADMINS": "Ops <ops@example.com>, cto@example.com", "EMAIL_URL": smtp.url}
        )

        # when a job fails
        job = wait_finished(fail_a_job(alice))

        # then the admins get an email saying which job failed and why
        wait_for(lambda: smtp.handler.messages, timeout=30, message="the alert email")
        message = smtp.handler.messages[0]
        assert job.status == BackgroundJob.Status.FAILED
        assert set(smtp.handler.received) == {"ops@example.com", "cto@example.com"}
        assert message["Subject"] == f"[CRM] Job #{job.pk} failed"
        body = message.get_payload(decode=True).decode()
        assert "Item 1 could not be processed." in body and "alice" in body and job.task_id in body

        # and a second failure within the throttle window sends nothing more
        second = wait_finished(fail_a_job(alice, item=0))
        wait_for(lambda: "alert job-failed throttled" in worker.log(), timeout=30, message="the throttled alert")
        assert second.status == BackgroundJob.Status.FAILED
        assert len(smtp.handler.messages) == 1


def test_alerts_are_off_unless_enabled(settings, mailoutbox, alice):
    settings.ALERTS_ENABLED = False
    settings.ADMINS = [("Ops", "ops@example.com")]
    job = BackgroundJobFactory(created_by=alice, running=True)

    assert alerts.job_failed(job.pk) is False
    assert mailoutbox == []


def test_the_reaper_failing_a_job_emails_the_admins(alerts_on, mailoutbox, alice):
    # given a job whose worker died long ago
    long_ago = timezone.now() - timedelta(hours=1)
    job = BackgroundJobFactory(created_by=alice, running=True, started_at=long_ago, heartbeat_at=long_ago)

    # when the reaper runs
    assert reap_stuck_jobs(inspect_timeout=0.2)["failed"] == 1

    # then one email says the worker was lost
    assert [m.subject for m in mailoutbox] == [f"[CRM] Job #{job.pk} failed: its worker was lost"]
    assert mailoutbox[0].to == ["ops@example.com"]
    assert "worker lost" in mailoutbox[0].body


@pytest.mark.queue
def test_a_backed_up_queue_emails_the_admins_once(alerts_on, settings, mailoutbox, purge_queues, alice):
    # given 3 messages waiting in the maintenance queue (no worker), and a threshold of 3
    settings.ALERT_QUEUE_BACKLOG = 3
    settings.ALERT_QUEUE_AGE = 3600
    for _ in range(3):
        start_job("demo.count_items", user=alice, job_type=BackgroundJob.JobType.EXPORT, title="waiting")

    try:
        # when the beat check runs twice
        first, second = alerts.check_queues(), alerts.check_queues()

        # then both find the queue backed up, and one email says so
        assert first == second == ["maintenance"]
        assert [m.subject for m in mailoutbox] == ["[CRM] Queue maintenance is backed up"]
        assert "3 messages waiting" in mailoutbox[0].body
    finally:
        with app.connection_for_write() as conn:
            for queue in app.conf.task_queues:
                queue.bind(conn.default_channel).purge()


def test_an_old_message_is_a_backed_up_queue_too(alerts_on, settings, mailoutbox, purge_queues, alice):
    if not is_redis(app.conf.broker_url):
        pytest.skip("the oldest message's age is read on the Redis broker only")
    settings.ALERT_QUEUE_BACKLOG = 1000
    settings.ALERT_QUEUE_AGE = 0  # any waiting message is too old
    start_job("demo.count_items", user=alice, job_type=BackgroundJob.JobType.EXPORT, title="waiting")

    try:
        assert alerts.check_queues() == ["maintenance"]
        assert len(mailoutbox) == 1
    finally:
        with app.connection_for_write() as conn:
            for queue in app.conf.task_queues:
                queue.bind(conn.default_channel).purge()


def test_queues_below_the_thresholds_send_nothing(alerts_on, mailoutbox, purge_queues):
    assert alerts.check_queues() == []
    assert mailoutbox == []
