"""Predicates for wait_for(): a job row as a worker left it (each refreshes the job);
and run_to_the_end, a job started and waited for until it finished."""

from jobs.models import BackgroundJob
from jobs.tracking import start_job
from tests.workers import wait_for


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


def run_to_the_end(task, user, **kwargs):
    """Start `task` as a job of `user` with `kwargs`, and return the job once a worker finished it."""
    job = start_job(task, user=user, job_type=0, title=task.name, kwargs=kwargs)
    wait_for(lambda: finished(job), message=f"job {job.pk} to finish")
    return job
