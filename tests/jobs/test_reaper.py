"""The reaper settles jobs whose worker was killed (SIGKILL): fail, or resume when resumable."""

import pytest

from crm.tasks import count_items, count_items_resumable
from jobs.maintenance import reap_stuck_jobs
from jobs.models import BackgroundJob
from jobs.tracking import start_job
from tests.workers import wait_for

from .states import finished, running_with

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]
Status = BackgroundJob.Status


@pytest.fixture(autouse=True)
def stuck_after_one_second(settings):
    settings.JOBS_STUCK_AFTER = 1


def reaped(outcome):
    def reap():
        result = reap_stuck_jobs(inspect_timeout=0.5)
        return result[outcome] and result

    return reap


def test_job_of_a_killed_worker_fails_as_worker_lost(worker_factory, alice):
    # given a job running on a worker
    worker = worker_factory(concurrency=1)
    job = start_job(count_items, user=alice, job_type=0, title="long", kwargs={"items": 1000, "delay": 0.02})
    wait_for(lambda: running_with(job), message="job to make progress")

    # when the worker is killed mid-job
    worker.kill()
    counted = BackgroundJob.objects.get(pk=job.pk).processed_items

    # then once its heartbeat is stale, the reaper fails it with a user-safe message
    wait_for(reaped("failed"), timeout=15, message="the reaper to fail the job")
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "worker lost" in job.error_message
    assert job.processed_items == counted  # partial counts kept
    assert job.completed_at is not None


def test_resumable_job_of_a_killed_worker_is_resumed_and_completes(worker_factory, alice):
    # given a resumable job running on a worker
    first = worker_factory(concurrency=1)
    job = start_job(
        count_items_resumable, user=alice, job_type=0, title="resumable", kwargs={"items": 60, "delay": 0.03}
    )
    wait_for(lambda: running_with(job, at_least=5), message="job to make progress")
    old_task_id = job.task_id

    # when the worker is killed mid-job
    first.kill()

    # then the reaper puts it back in the queue under a new task id
    wait_for(reaped("resumed"), timeout=15, message="the reaper to resume the job")
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert job.task_id != old_task_id

    # and another worker finishes it with exact counts, as a second attempt
    worker_factory(concurrency=1)
    wait_for(lambda: finished(job), timeout=30, message="the resumed job to finish")
    assert job.status == Status.COMPLETED
    assert (job.processed_items, job.success_count, job.failed_count) == (60, 60, 0)
    assert job.attempts == 2


def test_slow_job_on_a_live_worker_is_left_alone(worker_factory, alice):
    # given a job whose items take longer than JOBS_STUCK_AFTER (no heartbeat meanwhile)
    worker_factory(concurrency=1)
    job = start_job(count_items, user=alice, job_type=0, title="slow", kwargs={"items": 1, "delay": 2.5})
    wait_for(lambda: running_with(job, at_least=0), message="job to start")

    # when the reaper sees its stale heartbeat, it asks the workers and finds the task alive
    outcome = wait_for(reaped("alive"), timeout=15, message="the reaper to consider the job")

    # then nothing was changed
    assert outcome["failed"] == outcome["resumed"] == 0
    wait_for(lambda: finished(job), timeout=30, message="the job to finish")
    assert job.status == Status.COMPLETED
