"""A job completes exactly once, however many chunks try at the same moment."""

import threading

import pytest
from django.db import connection

from jobs.models import BackgroundJob
from jobs.tracking import JobTracker

from .factories import BackgroundJobFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]
Status = BackgroundJob.Status


def at_once(count, action):
    """Run action() in `count` threads (own DB connections) released together."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(action())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_simultaneous_completions_complete_once(alice):
    job = BackgroundJobFactory(created_by=alice, running=True, total_items=20, processed_items=20)

    results = at_once(20, lambda: JobTracker(job.id).complete_if_done())

    assert results.count(True) == 1
    assert results.count(False) == 19
    job.refresh_from_db()
    assert (job.status, job.progress) == (Status.COMPLETED, 100)


def test_twenty_chunks_flushing_at_once_count_exactly(alice):
    job = BackgroundJobFactory(created_by=alice, running=True, total_items=100)

    def chunk():
        tracker = JobTracker(job.id, interval=60)
        for _ in range(5):
            tracker.advance(success=1)
        return tracker.complete_if_done()  # flushes, then tries to complete

    results = at_once(20, chunk)

    job.refresh_from_db()
    assert (job.processed_items, job.success_count, job.status) == (100, 100, Status.COMPLETED)
    assert results.count(True) == 1


def test_a_finished_job_never_changes_again(alice):
    job = BackgroundJobFactory(created_by=alice, failed=True, total_items=3, processed_items=3)
    tracker = JobTracker(job.id, interval=0)

    tracker.advance(success=1)
    assert not tracker.complete()
    assert not tracker.complete_if_done()
    assert not tracker.mark_cancelled()

    job.refresh_from_db()
    assert (job.status, job.processed_items) == (Status.FAILED, 3)
