"""Celery signals that keep jobs true for events no task body sees."""

from celery.signals import task_postrun, task_prerun, task_revoked

from config.logs import current_job

from .models import BackgroundJob
from .tracking import JobTask, finish_job


@task_revoked.connect
def cancel_revoked_job(request=None, **kwargs):
    """A job task revoked from anywhere (API, admin, Flower) ends Cancelled."""
    if request is None:
        return
    job_id = BackgroundJob.objects.filter(task_id=request.id).values_list("pk", flat=True).first()
    if job_id:
        finish_job(job_id, BackgroundJob.Status.CANCELLED, cancel_requested=True)


@task_prerun.connect
def log_with_job_id(task=None, args=None, **kwargs):
    """Every log line of a job's task (its threads too) carries the job id (config/logs.py)."""
    if isinstance(task, JobTask) and args:
        current_job.set(args[0])


@task_postrun.connect
def log_without_job_id(**kwargs):
    current_job.set(None)
