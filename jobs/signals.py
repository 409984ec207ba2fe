"""Celery signals that keep jobs true for events no task body sees."""

from celery.signals import task_revoked

from .models import BackgroundJob
from .tracking import finish_job


@task_revoked.connect
def cancel_revoked_job(request=None, **kwargs):
    """A job task revoked from anywhere (API, admin, Flower) ends Cancelled."""
    if request is None:
        return
    job_id = BackgroundJob.objects.filter(task_id=request.id).values_list("pk", flat=True).first()
    if job_id:
        finish_job(job_id, BackgroundJob.Status.CANCELLED, cancel_requested=True)
