"""Celery tasks of the jobs app."""

from celery import shared_task

from .tracking import JobError, JobTask


@shared_task(base=JobTask)
def count_items(job, items: int = 10, fail_at: int | None = None):
    """A demo/ops job: counts `items` items, failing at `fail_at` if given.
    Useful to check the whole pipeline (worker, tracking, widget) end to end."""
    job.set_total(items)
    for i in range(items):
        if job.cancelled():
            return job.mark_cancelled()
        if fail_at is not None and i == fail_at:
            raise JobError(f"Item {i} could not be processed.")
        job.advance(success=1)
