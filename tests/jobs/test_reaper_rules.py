"""What the reaper does with each kind of stuck job (no worker answers here)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from jobs.maintenance import reap_stuck_jobs
from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


@pytest.fixture(autouse=True)
def stuck_after_a_minute(settings):
    settings.JOBS_STUCK_AFTER = 60


def stale(**fields):
    long_ago = timezone.now() - timedelta(minutes=5)
    return BackgroundJobFactory(running=True, heartbeat_at=long_ago, started_at=long_ago, **fields)


def reap():
    return reap_stuck_jobs(inspect_timeout=0.1)


def test_stale_job_fails_as_worker_lost(alice):
    job = stale(created_by=alice, processed_items=4, success_count=4)

    assert reap()["failed"] == 1

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error_message == "The worker running this job stopped unexpectedly (worker lost)."
    assert job.processed_items == 4


def test_stale_job_with_cancel_requested_ends_cancelled(alice):
    job = stale(created_by=alice, cancel_requested=True)

    assert reap()["cancelled"] == 1

    job.refresh_from_db()
    assert job.status == Status.CANCELLED


def test_stale_resumable_job_is_resumed_under_a_new_task_id(alice, django_capture_on_commit_callbacks):
    job = stale(created_by=alice, task_name="demo.count_items_resumable")

    with django_capture_on_commit_callbacks() as enqueued:
        assert reap()["resumed"] == 1

    resumed = BackgroundJob.objects.get(pk=job.pk)
    assert resumed.status == Status.RUNNING and resumed.heartbeat_at > job.heartbeat_at
    assert resumed.task_id != job.task_id
    assert len(enqueued) == 1


def test_resumable_job_out_of_attempts_fails(alice):
    job = stale(created_by=alice, task_name="demo.count_items_resumable", attempts=4)  # 1 + max_retries 3

    assert reap()["failed"] == 1

    job.refresh_from_db()
    assert job.status == Status.FAILED


def test_job_that_never_sent_a_heartbeat_is_judged_by_its_start(alice):
    job = stale(created_by=alice)
    BackgroundJob.objects.filter(pk=job.pk).update(heartbeat_at=None)

    assert reap()["failed"] == 1


def test_fresh_pending_and_finished_jobs_are_left_alone(alice):
    fresh = BackgroundJobFactory(created_by=alice, running=True)
    pending = BackgroundJobFactory(created_by=alice)
    done = BackgroundJobFactory(created_by=alice, completed=True, heartbeat_at=timezone.now() - timedelta(hours=1))

    assert reap() == {"cancelled": 0, "resumed": 0, "failed": 0, "alive": 0}

    for job, status in ((fresh, Status.RUNNING), (pending, Status.PENDING), (done, Status.COMPLETED)):
        job.refresh_from_db()
        assert job.status == status


def test_job_with_tasks_waiting_in_the_broker_is_late_not_lost(alice, purge_queues):
    # given a fan-out job whose chunks wait in the queue behind other work
    job = stale(created_by=alice)
    app.send_task("demo.count_chunk", args=[job.pk, 5], queue="maintenance")
    try:
        # when the reaper runs
        outcome = reap()
    finally:
        purge_all_queues()

    # then the job is left running
    assert outcome["alive"] == 1 and outcome["failed"] == 0
    job.refresh_from_db()
    assert job.status == Status.RUNNING


def purge_all_queues():
    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()
