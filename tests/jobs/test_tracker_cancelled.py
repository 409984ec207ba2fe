"""JobTracker.cancelled(): what makes a task stop, and what does not."""

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import JobTracker, cancel_job, finish_job

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


def test_running_job_is_not_cancelled(alice):
    job = BackgroundJobFactory(created_by=alice, running=True)

    assert not JobTracker(job.pk).cancelled(force=True)


def test_owner_cancel_stops_a_running_job(alice):
    job = BackgroundJobFactory(created_by=alice, running=True)

    cancel_job(job)

    assert JobTracker(job.pk).cancelled(force=True)


def test_a_reaped_job_stops_its_leftover_tasks(alice):
    job = BackgroundJobFactory(created_by=alice, running=True)

    finish_job(job.pk, BackgroundJob.Status.FAILED, error_message="worker lost")

    assert JobTracker(job.pk).cancelled(force=True)


def test_a_job_waiting_to_retry_keeps_its_chunks_working(alice):
    # given a job whose main task waits for a retry (Pending) while a chunk still works
    job = BackgroundJobFactory(created_by=alice, status=Status.PENDING)
    chunk = JobTracker(job.pk, interval=0)

    # when the chunk checks for a cancel and reports progress
    stopped = chunk.cancelled(force=True)
    chunk.advance(success=3)

    # then it carries on, and its counts are kept
    job.refresh_from_db()
    assert not stopped
    assert (job.status, job.success_count) == (Status.PENDING, 3)
