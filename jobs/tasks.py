"""Celery tasks of the jobs app: maintenance, run by beat (see migration 0002).

Every task here is routed to the `maintenance` queue (CELERY_TASK_ROUTES)."""

from celery import shared_task

from . import maintenance, tracking

# --- maintenance (beat) -------------------------------------------------------------


@shared_task(name="jobs.cleanup_old_jobs", ignore_result=True)
def cleanup_old_jobs():
    """Delete finished jobs older than JOBS_RETENTION_DAYS (never an active one)."""
    return maintenance.delete_old_jobs()


@shared_task(name="jobs.cleanup_task_results", ignore_result=True)
def cleanup_task_results():
    """Delete Celery task results older than CELERY_RESULT_EXPIRES, in batches."""
    return maintenance.delete_old_task_results()


@shared_task(name="jobs.reap_stuck_jobs", ignore_result=True)
def reap_stuck_jobs():
    """Resume or fail Running jobs whose worker stopped sending heartbeats."""
    return maintenance.reap_stuck_jobs()


@shared_task(name="jobs.start_due_jobs", ignore_result=True)
def start_due_jobs():
    """Enqueue scheduled jobs whose time has come (each exactly once)."""
    return tracking.start_due_jobs()
