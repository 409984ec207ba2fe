import pytest

from jobs.models import BackgroundJob
from jobs.tasks import count_items
from jobs.tracking import start_job
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
Status = BackgroundJob.Status


def finished(job):
    job.refresh_from_db()
    return job.status in BackgroundJob.FINISHED


def test_job_runs_on_a_real_worker_with_exact_counts(worker, alice):
    job = start_job(count_items, user=alice, job_type=0, title="count", kwargs={"items": 25})

    wait_for(lambda: finished(job), message="job to finish")

    assert job.status == Status.COMPLETED
    assert (job.total_items, job.processed_items, job.success_count, job.failed_count) == (25, 25, 25, 0)
    assert job.progress == 100
    assert job.attempts == 1
    assert job.started_at and job.completed_at


def test_job_error_fails_with_its_message(worker, alice):
    job = start_job(count_items, user=alice, job_type=0, title="count", kwargs={"items": 5, "fail_at": 3})

    wait_for(lambda: finished(job), message="job to finish")

    assert job.status == Status.FAILED
    assert job.error_message == "Item 3 could not be processed."
