"""Ops tasks, run by beat (migration 0001), routed by name to the maintenance queue."""

from celery import shared_task

from . import alerts


@shared_task(name="ops.check_queues", ignore_result=True)
def check_queues():
    """Email ADMINS about queues past ALERT_QUEUE_BACKLOG / ALERT_QUEUE_AGE (throttled)."""
    return alerts.check_queues()
