import pytest

from crm.tasks import count_items
from jobs.models import BackgroundJob
from jobs.tracking import start_job
from tests.workers import wait_for

from .states import finished, run_to_the_end, running_with

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]
Status = BackgroundJob.Status


def test_job_runs_on_a_real_worker_with_exact_counts(worker, alice):
    job = run_to_the_end(count_items, alice, items=25)

    assert job.status == Status.COMPLETED
    assert (job.total_items, job.processed_items, job.success_count, job.failed_count) == (25, 25, 25, 0)
    assert job.progress == 100
    assert job.attempts == 1
    assert job.started_at and job.completed_at


def test_job_goes_pending_then_running_then_completed(worker, alice):
    # given a job whose items take a moment each
    job = start_job(count_items, user=alice, job_type=0, title="count", kwargs={"items": 40, "delay": 0.05})
    # then it is Pending before a worker takes it
    assert job.status == Status.PENDING and job.started_at is None

    # and Running with partial counts while it works
    wait_for(lambda: running_with(job), message="job to be running with progress")
    assert 0 < job.processed_items < 40
    assert job.success_count == job.processed_items

    # and Completed with exact counts at the end
    wait_for(lambda: finished(job), message="job to finish")
    assert job.status == Status.COMPLETED
    assert (job.processed_items, job.success_count, job.failed_count, job.progress) == (40, 40, 0, 100)
    assert job.started_at <= job.completed_at


def test_job_error_fails_with_its_message(worker, alice):
    job = run_to_the_end(count_items, alice, items=5, fail_at=3)

    assert job.status == Status.FAILED
    assert job.error_message == "Item 3 could not be processed."
