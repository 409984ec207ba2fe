"""Celery and jobs signals the ops app listens to."""

import time

from celery.signals import before_task_publish

from jobs.tracking import job_failed

from . import alerts
from .broker import PUBLISHED_AT


@before_task_publish.connect
def stamp_publish_time(headers=None, **kwargs):
    """The oldest waiting message's age (ops/broker.py) is read from this header."""
    if headers is not None:
        headers[PUBLISHED_AT] = time.time()  # a retry is a new message: its own time


@job_failed.connect
def alert_on_failed_job(job_id=None, message="", reaped=False, **kwargs):
    alerts.job_failed(job_id, message, reaped=reaped)
