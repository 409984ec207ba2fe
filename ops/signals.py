"""Celery and jobs signals the ops app listens to."""

import time

from celery.signals import before_task_publish

from jobs.models import BackgroundJob
from jobs.tracking import job_finished

from . import alerts
from .broker import PUBLISHED_AT


@before_task_publish.connect
def stamp_publish_time(headers=None, **kwargs):
    """The oldest waiting message's age (ops/broker.py) is read from this header."""
    if headers is not None:
        headers[PUBLISHED_AT] = time.time()  # a retry is a new message: its own time


@job_finished.connect
def alert_on_failed_job(job_id=None, status=None, reason="", **kwargs):
    if status == BackgroundJob.Status.FAILED:
        alerts.job_failed(job_id, reaped=reason == "worker-lost")
