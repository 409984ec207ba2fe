"""Cancelling a job: a pending one never runs, a running one stops with its partial counts."""

import pytest
from django_celery_results.models import TaskResult

from crm.tasks import count_items
from jobs.models import BackgroundJob
from jobs.tracking import cancel_job, start_job
from tests.workers import wait_for

from .states import running_with, status_is

pytestmark = pytest.mark.django_db(transaction=True)
Status = BackgroundJob.Status


def test_pending_job_is_cancelled_and_never_runs(worker, alice):
    # given a job queued to run in 2 seconds
    job = start_job(count_items, user=alice, job_type=0, title="later", kwargs={"items": 5}, countdown=2)

    # when its owner cancels it before then
    assert cancel_job(job)

    # then the worker drops its message (revoked) and the job never started
    wait_for(
        lambda: TaskResult.objects.filter(task_id=job.task_id, status="REVOKED").exists(),
        message="the worker to drop the revoked task",
    )
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert (job.started_at, job.attempts, job.processed_items) == (None, 0, 0)


def test_running_job_stops_and_keeps_its_partial_counts(worker, alice):
    # given a job busy with its items
    job = start_job(count_items, user=alice, job_type=0, title="long", kwargs={"items": 400, "delay": 0.02})
    wait_for(lambda: running_with(job), message="job to make progress")

    # when its owner cancels it
    assert cancel_job(job)

    # then it stops at its next check, Cancelled, with the work done so far counted
    wait_for(lambda: status_is(job, Status.CANCELLED), message="job to stop")
    assert 0 < job.processed_items < 400
    assert job.success_count == job.processed_items
    assert job.completed_at is not None


def test_finished_job_cannot_be_cancelled(worker, alice):
    job = start_job(count_items, user=alice, job_type=0, title="quick", kwargs={"items": 2})
    wait_for(lambda: status_is(job, Status.COMPLETED), message="job to complete")

    assert not cancel_job(job)
    assert status_is(job, Status.COMPLETED)
