"""Maintenance of the jobs platform: plain functions, run by the beat tasks in
jobs/tasks.py and callable from tests and the shell."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_results.models import GroupResult, TaskResult

from config import sharedstate
from config.celery import app

from .models import BackgroundJob
from .tracking import finish_job, resume_job

logger = logging.getLogger(__name__)
Status = BackgroundJob.Status
BATCH_SIZE = 500


def _delete_in_batches(queryset, batch_size=None) -> int:
    """Delete the rows of `queryset` a batch at a time (BATCH_SIZE, read per call;
    short write locks); rows another table protects are skipped, not retried
    forever. Returns rows deleted."""
    batch_size = batch_size or BATCH_SIZE
    model = queryset.model
    deleted, skipped = 0, set()
    while True:
        pks = list(queryset.exclude(pk__in=skipped).values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        try:
            deleted += queryset.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)
        except (ProtectedError, RestrictedError):
            for pk in pks:
                try:
                    deleted += queryset.filter(pk=pk).delete()[1].get(model._meta.label, 0)
                except (ProtectedError, RestrictedError):
                    skipped.add(pk)


def delete_old_jobs(days=None, now=None) -> int:
    """Delete jobs finished more than `days` (JOBS_RETENTION_DAYS) ago. Active jobs
    are never touched, however old."""
    days = settings.JOBS_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = BackgroundJob.objects.finished().filter(completed_at__lt=cutoff)
    deleted = _delete_in_batches(old)
    logger.info("deleted %d jobs finished before %s", deleted, cutoff)
    return deleted


def delete_old_task_results(seconds=None, now=None) -> int:
    """Delete Celery task (and group) results older than CELERY_RESULT_EXPIRES."""
    seconds = settings.CELERY_RESULT_EXPIRES if seconds is None else seconds
    cutoff = (now or timezone.now()) - timedelta(seconds=seconds)
    deleted = _delete_in_batches(TaskResult.objects.filter(date_done__lt=cutoff))
    deleted += _delete_in_batches(GroupResult.objects.filter(date_done__lt=cutoff))
    logger.info("deleted %d task results older than %s", deleted, cutoff)
    return deleted


# --- reaper -----------------------------------------------------------------------


def stuck_jobs(now=None, stuck_after=None):
    """Running jobs that sent no heartbeat (or, never having sent one, started)
    more than JOBS_STUCK_AFTER seconds ago."""
    stuck_after = settings.JOBS_STUCK_AFTER if stuck_after is None else stuck_after
    cutoff = (now or timezone.now()) - timedelta(seconds=stuck_after)
    return BackgroundJob.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, started_at__lt=cutoff)
    )


def jobs_on_live_workers(timeout=1.0) -> tuple[set, set]:
    """(task ids, job ids) of the tasks live workers hold right now (running,
    reserved, or scheduled for an ETA): a job whose task a worker holds is slow,
    not lost. Job tasks carry the job id as their first argument (chunks too).
    Asked through Celery's remote control, which every broker transport supports."""
    inspect = app.control.inspect(timeout=timeout)
    held = []
    for ask in (inspect.active, inspect.reserved, inspect.scheduled):
        try:
            for tasks in (ask() or {}).values():
                # scheduled() wraps each request: {"eta": ..., "request": {...}}
                held += [task.get("request", task) for task in tasks or []]
        except Exception:  # broker down: nothing can be confirmed alive
            logger.warning("could not ask workers for their tasks", exc_info=True)
    task_ids, job_ids = set(), set()
    for task in held:
        task_ids.add(task.get("id"))
        args = task.get("args")
        if isinstance(args, list | tuple) and args and isinstance(args[0], int):
            job_ids.add(args[0])
    return task_ids, job_ids


def consumed_queues(timeout=1.0) -> set:
    """Names of the queues live workers consume (Celery's remote control, any broker)."""
    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception:
        logger.warning("could not ask workers for their queues", exc_info=True)
        return set()
    return {queue.get("name") for queues in replies.values() for queue in queues or []}


def queue_lengths(queues=None) -> dict:
    """Messages waiting (ready) in the broker per queue (default: every configured queue);
    None when the broker cannot be reached. Asked with a queue declaration, the public
    operation every kombu transport answers (RabbitMQ directly; on Redis kombu counts the
    queue's lists, one per priority level), never by reading a transport's own storage.
    Declaring with the configured options is idempotent: workers do the same. On a pooled
    connection: cheap enough for a chunk to ask twice a second."""
    queues = list(settings.CELERY_TASK_QUEUES if queues is None else queues)
    lengths = {queue.name: None for queue in queues}
    try:
        with app.pool.acquire(block=True, timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            for queue in queues:
                lengths[queue.name] = queue.bind(channel).queue_declare().message_count
    except Exception:
        logger.warning("could not ask the broker for its queue lengths", exc_info=True)
    return lengths


def messages_waiting() -> int:
    """Messages no worker has taken yet in the queues this process's worker consumes (its
    -Q; outside a worker, every queue): would another task start sooner if this one let go
    of its process? An unreachable queue counts as one waiting message (let go, to be safe).
    Reserved messages do not show: with CELERY_WORKER_PREFETCH_MULTIPLIER = 1 and late acks
    a worker reserves none it cannot start at once."""
    lengths = queue_lengths(app.amqp.queues.consume_from.values())
    return sum(1 if n is None else n for n in lengths.values())


def reap_stuck_jobs(now=None, stuck_after=None, inspect_timeout=1.0) -> dict:
    """Settle Running jobs whose worker is gone: no heartbeat for JOBS_STUCK_AFTER, no
    task held by a live worker, and not merely queued. A job counts as queued ("late",
    left alone) when its queue has messages waiting and either its current task has not
    started since it was enqueued (a resume waiting its turn: resuming it again would only
    pile up copies), or it cannot be resumed and a live worker consumes its queue (failing
    a fan-out whose tasks wait behind other work would be a false alarm; with no worker
    on the queue nothing would ever run it, and RabbitMQ requeues a dead worker's message
    at once: when it runs, it finds its job finished and is skipped). Otherwise:

    - cancel requested -> Cancelled (partial counts kept);
    - the task is `resumable` -> resumed (enqueued again), unless the last
      JOBS_MAX_STALLED_RESUMES resumes in a row made no progress -> Failed;
    - otherwise -> Failed, "worker lost".

    When nothing is stuck this is one indexed query. Every change is a conditional
    update, so a job that comes back to life or is settled by someone else meanwhile
    is left alone. Returns counts per outcome."""
    outcome = {"cancelled": 0, "resumed": 0, "failed": 0, "alive": 0, "queued": 0}
    candidates = list(stuck_jobs(now, stuck_after))
    if not candidates:
        return outcome
    task_ids, job_ids = jobs_on_live_workers(inspect_timeout)
    waiting, consumed = queue_lengths(), None
    for job in candidates:
        unchanged = {"status": Status.RUNNING, "heartbeat_at": job.heartbeat_at, "task_id": job.task_id}
        resumable = _resumable(job)
        busy = waiting.get(job.queue, 0) != 0  # also when the broker could not say (None): never act blind
        if busy and not resumable and job.queued_since is None and consumed is None:
            consumed = consumed_queues(inspect_timeout)
        if job.task_id in task_ids or job.pk in job_ids:
            outcome["alive"] += 1
        elif busy and (job.queued_since is not None or (not resumable and job.queue in consumed)):
            outcome["queued"] += 1
        elif job.cancel_requested:
            outcome["cancelled"] += finish_job(job.pk, Status.CANCELLED, only_if=unchanged, job_type=job.job_type)
        elif resumable and not _stalled_out(job):
            outcome["resumed"] += resume_job(job)
        else:
            message = _("The worker running this job stopped unexpectedly (worker lost).")
            if resumable:
                message = _("The job stopped after repeated worker failures.")
            outcome["failed"] += finish_job(
                job.pk,
                Status.FAILED,
                only_if=unchanged,
                reason="worker-lost",
                error_message=message,
                job_type=job.job_type,
            )
    if any(outcome.values()):
        logger.warning("reaper: %s", outcome)
    for name in ("resumed", "failed", "cancelled"):  # counters for the metrics endpoint
        sharedstate.add(f"reaper_{name}_jobs", outcome[name])
    return outcome


def _stalled_out(job) -> bool:
    """Resuming now would be one stalled resume too many."""
    progressed = job.processed_items > job.processed_at_resume
    return not progressed and job.stalled_resumes + 1 > settings.JOBS_MAX_STALLED_RESUMES


def registered_task(name):
    """The task object for `name` (imports every app's tasks module outside workers)."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks.get(name)


def _resumable(job) -> bool:
    task = registered_task(job.task_name)
    return bool(task is not None and getattr(task, "resumable", False))
