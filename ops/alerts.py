"""Alert emails to ADMINS: a job failed, the reaper failed a job (worker lost), a
queue backed up (ALERT_QUEUE_BACKLOG messages, or its oldest message waiting
ALERT_QUEUE_AGE seconds). Off unless ALERTS_ENABLED (default: on when DEBUG is
off); at most one email per kind (and queue) per ALERTS_THROTTLE seconds across
every process and host (a mark in Redis). An alert never breaks the work that
raised it: errors are logged."""

import logging

from django.conf import settings
from django.core.mail import get_connection, mail_admins
from django.utils.translation import gettext as _

from config import sharedstate
from jobs.models import BackgroundJob

from .broker import queue_stats

logger = logging.getLogger(__name__)


def send(kind: str, subject: str, body: str) -> bool:
    """Email ADMINS unless alerts are off or this kind was sent within the throttle. True if sent."""
    if not settings.ALERTS_ENABLED or not settings.ADMINS:
        return False
    key = f"alert:{kind}"
    try:
        if not sharedstate.first_in(key, settings.ALERTS_THROTTLE):
            logger.info("alert %s throttled: %s", kind, subject)
            return False
        minutes = max(settings.ALERTS_THROTTLE // 60, 1)
        note = _("Further alerts of this kind are held back for %(minutes)d minutes.") % {"minutes": minutes}
        # A bounded wait: a slow mail server must not hold the worker whose job failed.
        mail_admins(subject, f"{body}\n\n{note}\n", connection=get_connection(timeout=10))
    except Exception:
        logger.exception("could not send alert %s: %s", kind, subject)
        try:
            sharedstate.forget(key)  # the next one may get through
        except Exception:
            pass
        return False
    logger.info("alert %s sent: %s", kind, subject)
    return True


def job_failed(job_id, *, reaped=False) -> bool:
    job = BackgroundJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return False
    details = {
        "id": job.pk,
        "title": job.title,
        "type": job.get_job_type_display(),
        "owner": job.created_by.get_username(),
        "message": job.error_message,
    }
    if reaped:
        subject = _("Job #%(id)s failed: its worker was lost") % details
    else:
        subject = _("Job #%(id)s failed") % details
    lines = [
        _("Job #%(id)s “%(title)s” (%(type)s, owner %(owner)s) failed: %(message)s") % details,
        _("Task: %(task)s, queue: %(queue)s, attempts: %(attempts)s")
        % {"task": job.task_name, "queue": job.queue, "attempts": job.attempts},
        _("In Flower: %(url)s") % {"url": job.flower_url},
    ]
    return send("reaper-failed" if reaped else "job-failed", subject, "\n".join(lines))


def check_queues() -> list[str]:
    """Alert on every queue past a threshold; returns the names of the queues past one."""
    backed_up = []
    for queue in queue_stats():
        age = queue.oldest_age
        too_old = queue.messages > 0 and age is not None and age >= settings.ALERT_QUEUE_AGE
        if queue.messages < max(settings.ALERT_QUEUE_BACKLOG, 1) and not too_old:
            continue
        backed_up.append(queue.name)
        details = {"queue": queue.name, "messages": queue.messages, "age": "?" if age is None else round(age)}
        send(
            f"queue:{queue.name}",
            _("Queue %(queue)s is backed up") % details,
            _("Queue %(queue)s: %(messages)s messages waiting, the oldest for %(age)s seconds.") % details
            + "\n"
            + _("Add workers for this queue, or look for a stuck or failing worker.")
            + "\n"
            + _("Thresholds: %(backlog)s messages, %(age)s seconds.")
            % {"backlog": settings.ALERT_QUEUE_BACKLOG, "age": settings.ALERT_QUEUE_AGE},
        )
    return backed_up
