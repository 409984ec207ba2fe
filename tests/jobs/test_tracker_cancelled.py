"""JobTracker.cancelled(): what makes a task stop, and what does not."""

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import JobTracker, cancel_job, fail_job, resume_job

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

    fail_job(job.pk, "worker lost")

    assert JobTracker(job.pk).cancelled(force=True)


def test_a_resumed_job_back_in_pending_keeps_its_chunks_working(alice, django_capture_on_commit_callbacks):
    # given a running job that the reaper resumes (status goes back to Pending)
    job = BackgroundJobFactory(created_by=alice, running=True)
    with django_capture_on_commit_callbacks(execute=False):
        assert resume_job(job)

    # then a chunk still working for it must not take that for a cancel
    tracker = JobTracker(job.pk)
    assert not tracker.cancelled(force=True)
    job.refresh_from_db()
    assert job.status == Status.PENDING
