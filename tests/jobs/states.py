"""Predicates for wait_for(): a job row as a worker left it (each refreshes the job)."""

from jobs.models import BackgroundJob


def finished(job) -> bool:
    job.refresh_from_db()
    return job.status in BackgroundJob.FINISHED


def status_is(job, status) -> bool:
    job.refresh_from_db()
    return job.status == status


def running_with(job, at_least=1) -> bool:
    """Running with at least `at_least` items processed."""
    job.refresh_from_db()
    return job.status == BackgroundJob.Status.RUNNING and job.processed_items >= at_least
