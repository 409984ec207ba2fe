"""20 chunk tasks of one job advance it in parallel: exact counters, one completion."""

import pytest
from django_celery_results.models import TaskResult

from crm.tasks import count_items_in_chunks
from jobs.models import BackgroundJob
from jobs.tracking import start_job
from tests.workers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]
Status = BackgroundJob.Status


def test_parallel_chunks_count_exactly_and_complete_once(worker_factory, alice):
    # given four worker processes
    worker_factory(concurrency=4)

    # when a job fans out into 20 chunks of 13 items
    job = start_job(
        count_items_in_chunks,
        user=alice,
        job_type=0,
        title="fan-out",
        kwargs={"items": 260, "chunks": 20, "delay": 0.01},
    )

    # then every chunk runs
    chunks = TaskResult.objects.filter(task_name="demo.count_chunk", status="SUCCESS")
    wait_for(lambda: chunks.count() == 20, message="20 chunks to finish")
    # and the job has exact counters
    job.refresh_from_db()
    assert job.status == Status.COMPLETED
    assert (job.total_items, job.processed_items, job.success_count, job.failed_count) == (260, 260, 260, 0)
    assert job.progress == 100
    # and one conditional update completed it: the chunk that counted the last item, or, on a
    # loaded machine, the planner's own end when every chunk had counted before it got there
    # (then each chunk found it already completed); never two
    completions = [result.result for result in chunks]
    assert completions.count('{"completed": true}') <= 1
    assert completions.count('{"completed": true}') + completions.count('{"completed": false}') == 20
    assert job.completed_at is not None
    # and no chunk counted as a new attempt of the job
    assert job.attempts == 1
