"""The one way code changes a BackgroundJob's state.

Outside a task (views, admin, commands, maintenance):
    start_job(task, user=..., job_type=..., title=..., kwargs={...})   -> row + enqueue after commit
    cancel_job(job), retry_job(job), resume_job(job)
    finish_job(job_id, status, ...): the one way to a terminal state (also used inside)

Inside a task, write it on the JobTask base; the message carries the job id and
the function receives a JobTracker:

    @shared_task(name="reports.export_contacts", base=JobTask)
    def export_contacts(tracker, report_id):
        tracker.set_total(n)
        for row in rows:
            if tracker.cancelled():
                return tracker.mark_cancelled()
            ...
            tracker.advance(success=1)

JobTask moves the job Pending -> Running before the body, and after it either
completes the job (when every item is processed), or fails it with a user-safe
message; counters are flushed at the end whatever happens. Every transition is a
conditional UPDATE on the current status, so terminal states never change again
and a job completes exactly once even when many chunk tasks finish together.
"""

import logging
import math
import time
import uuid
from contextlib import nullcontext
from datetime import timedelta

from celery.contrib.django.task import DjangoTask
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import app

from . import titles
from .models import BackgroundJob

logger = logging.getLogger(__name__)
Status = BackgroundJob.Status


# Sent once a job has reached a terminal state, after the transaction commits, in the
# process that finished it: kwargs job_id, status, reason ("worker-lost" when the reaper
# failed it, else ""), job_type (None where the finisher did not know it: a receiver for
# some types only can skip the others without a query). Apps whose jobs keep their own records
# (a campaign's ledger) settle them here; jobs itself knows nothing about them.
job_finished = Signal()


class JobError(Exception):
    """A failure whose message is safe and useful to show the job's owner."""


class RetryableError(Exception):
    """A transient failure (provider down, timeout): the task is retried with backoff."""


def user_message(exc: BaseException) -> str:
    """What the owner sees for a failure; the traceback stays in logs and TaskResult."""
    if isinstance(exc, JobError):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded | TimeLimitExceeded):
        return _("The job took too long and was stopped.")
    if isinstance(exc, RetryableError):
        return _("A service the job depends on kept failing; the job gave up after several attempts.")
    return _("The job failed because of an internal error. Administrators can see the details.")


def _progress(processed):
    """SQL for progress 0-100 given an expression for the new processed count."""
    return Case(
        When(total_items__gt=0, then=Least(Value(100), processed * 100 / F("total_items"))),
        default=F("progress"),
        output_field=IntegerField(),
    )


def _beat(now=None):
    """SQL for a heartbeat at `now` that never moves heartbeat_at back: a job that
    announced a deliberate wait (JobTracker.expect_heartbeat_by) keeps its later time."""
    now = now or timezone.now()
    return Greatest(Coalesce(F("heartbeat_at"), Value(now)), Value(now))


# --- outside a task ---------------------------------------------------------------


def start_job(
    task,
    *,
    user,
    job_type,
    title,
    description="",
    kwargs=None,
    total_items=0,
    metadata=None,
    queue=None,
    priority=None,
    countdown=None,
    eta=None,
    idempotency_key="",
    retry_of=None,
    scheduled_for=None,
) -> BackgroundJob:
    """Create a Pending job and enqueue `task(job_id, **kwargs)` once the transaction commits.

    With an idempotency key, an unfinished job of the same owner and key is
    returned instead of starting a second one. With `scheduled_for` in the future
    nothing is enqueued now: the job waits in the database, Pending, until beat's
    jobs.start_due_jobs enqueues it (never a long ETA the broker could lose or redeliver).
    """
    name = task if isinstance(task, str) else task.name
    kwargs = kwargs or {}
    title, metadata = titles.stored(title, metadata)
    if idempotency_key:
        existing = _active_with_key(user, idempotency_key)
        if existing:
            return existing
    queue = queue or app.amqp.router.route({}, name, (), kwargs)["queue"].name
    job = BackgroundJob(
        job_type=job_type,
        title=title,
        description=description,
        created_by=user,
        total_items=total_items,
        metadata=metadata,
        task_name=name,
        task_kwargs=kwargs,
        task_id=str(uuid.uuid4()),
        queue=queue,
        idempotency_key=idempotency_key,
        retry_of=retry_of,
        priority=priority,
        scheduled_for=scheduled_for,
        awaiting_schedule=bool(scheduled_for and scheduled_for > timezone.now()),
    )
    try:
        # A savepoint only where the key's unique constraint may refuse the row (the caller's
        # transaction, if any, goes on), not for every job.
        with transaction.atomic() if idempotency_key else nullcontext():
            job.save()
    except IntegrityError:
        if idempotency_key and (existing := _active_with_key(user, idempotency_key)):
            return existing
        raise
    if job.awaiting_schedule:
        return job
    options = {"countdown": countdown, "eta": eta}
    _enqueue_on_commit(job, **{k: v for k, v in options.items() if v is not None})
    return job


def start_due_jobs(now=None) -> int:
    """Enqueue the scheduled jobs whose time has come (beat runs this every few seconds).
    Each is claimed with a guarded UPDATE and its message sent inside the same
    transaction: a failed send (broker down) rolls the claim back for the next run,
    and no job is ever enqueued twice. A job cancelled meanwhile is no longer Pending."""
    now = now or timezone.now()
    due = BackgroundJob.objects.filter(status=Status.PENDING, awaiting_schedule=True, scheduled_for__lte=now)
    started = 0
    for job in due.order_by("scheduled_for", "pk"):
        with transaction.atomic():
            if not due.filter(pk=job.pk).update(awaiting_schedule=False):
                continue
            app.send_task(
                job.task_name, args=[job.pk], kwargs=job.task_kwargs, task_id=job.task_id, queue=job.queue,
                **_lane(job),
            )  # fmt: skip
        started += 1
    return started


def _active_with_key(user, key):
    return BackgroundJob.objects.owned_by(user).active().filter(idempotency_key=key).first()


def _lane(job) -> dict:
    """The job's priority goes with every (re)enqueue of its task: a resumed send keeps its lane."""
    return {} if job.priority is None else {"priority": job.priority}


def _enqueue_on_commit(job, **options):
    # delay_on_commit returns no id; the job stores the id chosen up front.
    options = {**_lane(job), **options}
    transaction.on_commit(
        lambda: app.send_task(
            job.task_name, args=[job.pk], kwargs=job.task_kwargs, task_id=job.task_id, queue=job.queue, **options
        )
    )


def cancel_job(job: BackgroundJob) -> bool:
    """Cancel a pending or running job. Pending: Cancelled now and its message revoked.
    Running: flagged; the task stops at its next `cancelled()` check. False if already finished."""
    if finish_job(
        job.pk, Status.CANCELLED, only_if={"status": Status.PENDING}, cancel_requested=True, job_type=job.job_type
    ):
        transaction.on_commit(lambda: app.control.revoke(job.task_id))
        return True
    return bool(BackgroundJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(cancel_requested=True))


def retry_job(job: BackgroundJob) -> BackgroundJob:
    """Start a failed or cancelled job again, as a new job linked to the original."""
    if job.status not in BackgroundJob.RETRYABLE:
        raise JobError(_("Only failed or cancelled jobs can be retried."))
    return start_job(
        job.task_name,
        user=job.created_by,
        job_type=job.job_type,
        title=job.title,
        description=job.description,
        kwargs=job.task_kwargs,
        total_items=job.total_items,
        metadata=job.metadata,
        queue=job.queue,
        priority=job.priority,
        retry_of=job,
    )


def resume_job(job: BackgroundJob) -> bool:
    """Re-enqueue a running job whose worker is gone (its task must be resumable), or
    hand a job back at a warm shutdown. The job stays Running (its other tasks, e.g.
    chunks, may still be at work) under a new task id, with a fresh heartbeat and
    `queued_since` set until the new task starts. A resume counts as stalled when the
    job processed nothing since the previous one (`stalled_resumes`, consecutive: any
    progress resets it). Claimed with a conditional update so two reapers never resume
    it twice."""
    new_id, now = str(uuid.uuid4()), timezone.now()
    progressed = Q(processed_items__gt=F("processed_at_resume"))
    claimed = BackgroundJob.objects.filter(pk=job.pk, status=Status.RUNNING, task_id=job.task_id).update(
        task_id=new_id,
        heartbeat_at=now,
        queued_since=now,
        resumed_at=now,
        stalled_resumes=Case(When(progressed, then=Value(0)), default=F("stalled_resumes") + 1),
        processed_at_resume=F("processed_items"),
    )
    if claimed:
        job.task_id = new_id
        _enqueue_on_commit(job)
    return bool(claimed)


def update_metadata(job_id, **values) -> None:
    """Merge `values` into the job's metadata (what its app shows about it: a page's
    URL, a failure summary), under the row lock so concurrent writers keep each other's keys."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).only("metadata").first()
        if job is None:
            return
        metadata = job.metadata if isinstance(job.metadata, dict) else {}
        BackgroundJob.objects.filter(pk=job_id).update(metadata={**metadata, **values})


def finish_job(job_id, status, *, only_if=None, reason="", job_type=None, **fields) -> bool:
    """The one way a job reaches a terminal state (Completed, Failed, Cancelled), and
    only from an active one: a guarded UPDATE, so it happens at most once. `only_if`
    narrows the guard (e.g. {"status": RUNNING}); `fields` are written with it
    (error_message, progress ...); `reason` and `job_type` (when the caller knows it) go out
    with `job_finished`. False if the job had already finished or changed."""
    assert status in BackgroundJob.FINISHED, status
    if status == Status.FAILED and "error_message" in fields:
        fields["error_message"] = fields["error_message"][:2000]
    fields.setdefault("completed_at", timezone.now())
    qs = BackgroundJob.objects.active().filter(pk=job_id, **(only_if or {}))
    finished = bool(qs.update(status=status, **fields))
    if finished:
        _announce_finished(job_id, status, reason, job_type)
    return finished


def _announce_finished(job_id, status, reason="", job_type=None):
    transaction.on_commit(
        lambda: job_finished.send(sender=BackgroundJob, job_id=job_id, status=status, reason=reason, job_type=job_type)
    )


# --- inside a task ---------------------------------------------------------------


# The job's rate (items/s, for its ETA) is sampled at most this often per tracker, and
# smoothed over about RATE_HORIZON seconds (an exponential moving average).
RATE_SAMPLE_SECONDS = 2.0
RATE_HORIZON = 6.0


BEGIN_SQL = f"""
UPDATE {BackgroundJob._meta.db_table} SET
    status = %(running)s,
    heartbeat_at = CASE WHEN heartbeat_at > %(now)s THEN heartbeat_at ELSE %(now)s END,
    started_at = COALESCE(started_at, %(now)s),
    attempts = CASE WHEN task_id = %(task_id)s THEN attempts + 1 ELSE attempts END,
    queued_since = CASE WHEN task_id = %(task_id)s THEN NULL ELSE queued_since END
WHERE id = %(id)s AND status IN (%(pending)s, %(running)s)
    AND (task_name <> %(task_name)s OR task_id = %(task_id)s)
RETURNING job_type
"""


# finish_job's most frequent case, a task's job completing once every item is processed,
# written out like BEGIN_SQL (the ORM took longer to build it than the database to run it).
COMPLETE_SQL = f"""
UPDATE {BackgroundJob._meta.db_table} SET status = %(completed)s, progress = 100, completed_at = %(now)s
WHERE id = %(id)s AND status = %(running)s AND processed_items >= total_items
"""


class JobTracker:
    """Progress reporting for one job from inside its task(s).

    Counter updates are buffered and written as atomic F() increments at most
    every JOBS_PROGRESS_INTERVAL seconds, so the item rate never becomes the
    write rate; `flush()` (called by JobTask at the end) writes the rest.
    The recent rate is sampled beside them every RATE_SAMPLE_SECONDS at most.
    """

    def __init__(self, job_id, interval=None):
        self.id = job_id
        self.interval = settings.JOBS_PROGRESS_INTERVAL if interval is None else interval
        self._success = self._failed = self._processed = 0
        self._last_write = time.monotonic()
        self._last_check = 0.0
        self._last_sample = 0.0
        self._stop = False
        self.job_type = None  # known once begin() ran: it goes out with job_finished

    def __repr__(self):
        return f"<JobTracker job={self.id}>"

    def _active(self):
        """Counter and heartbeat writes apply while the job is unfinished (a main task
        waiting to retry leaves it Pending while its chunks still report)."""
        return BackgroundJob.objects.active().filter(pk=self.id)

    def load(self) -> BackgroundJob:
        return BackgroundJob.objects.get(pk=self.id)

    def begin(self, task_id=None, task_name=None) -> bool:
        """Pending -> Running (or keep Running for chunks and resumes). False if the
        job already finished (e.g. cancelled while queued), or if this is a copy of the
        job's main task (`task_name`) that a resume superseded (another task id: a dead
        worker's message the broker delivered again): the task must not run.

        One UPDATE, so no concurrent status change slips in between a "pending" and a
        "running" attempt. The job's own task (`task_id` is the job's) counts an attempt
        and is no longer queued; a chunk only joins. The heartbeat never moves back (a
        later one announced by `expect_heartbeat_by` stands); it hands back the job's type.
        Written as SQL because it runs once per task: the ORM took ten times longer to build
        this statement than the database to run it (bench/bench_jobs.py)."""
        with connection.cursor() as cursor:
            cursor.execute(
                BEGIN_SQL,
                {
                    "id": self.id,
                    "task_id": task_id,
                    "task_name": task_name or "",  # every job has one: no name, no guard
                    "now": connection.ops.adapt_datetimefield_value(timezone.now()),
                    "pending": Status.PENDING,
                    "running": Status.RUNNING,
                },
            )
            row = cursor.fetchone()
        if row is not None:
            self.job_type = row[0]
        return row is not None

    def set_total(self, total: int):
        self._active().update(total_items=total, progress=_progress(F("processed_items") + 0))

    def advance(self, success=0, failed=0, processed=None):
        """Count items done; written at most every `interval` seconds."""
        self._success += success
        self._failed += failed
        self._processed += success + failed if processed is None else processed
        if time.monotonic() - self._last_write >= self.interval:
            self.flush()

    def flush(self):
        if not (self._processed or self._success or self._failed):
            return
        p, s, f = self._processed, self._success, self._failed
        self._processed = self._success = self._failed = 0
        self._active().update(
            processed_items=F("processed_items") + p,
            success_count=F("success_count") + s,
            failed_count=F("failed_count") + f,
            progress=_progress(F("processed_items") + p),
            heartbeat_at=_beat(),
        )
        self._last_write = time.monotonic()
        self.sample_rate()

    def set_counts(self, processed, success, failed):
        """Absolute counts, for work that keeps its own ledger (resync after a crash)."""
        self._processed = self._success = self._failed = 0
        self._active().update(
            processed_items=processed, success_count=success, failed_count=failed,
            progress=_progress(Value(processed)), heartbeat_at=_beat(),
        )  # fmt: skip
        self._last_write = time.monotonic()
        self.sample_rate()

    def sample_rate(self, force=False):
        """Update the job's recent rate from its processed count, at most every
        RATE_SAMPLE_SECONDS (whichever of the job's trackers comes first, under the row
        lock): one read and one write per sample, never per item."""
        if not force and time.monotonic() - self._last_sample < RATE_SAMPLE_SECONDS:
            return
        self._last_sample = time.monotonic()
        now = timezone.now()
        with transaction.atomic():
            row = (
                BackgroundJob.objects.select_for_update()
                .filter(pk=self.id, status=Status.RUNNING)
                .values_list("processed_items", "rate_sample_at", "rate_sample_items", "rate_per_second")
                .first()
            )
            if row is None:
                return
            processed, sampled_at, sampled_items, rate = row
            if sampled_at is not None:
                elapsed = (now - sampled_at).total_seconds()
                if elapsed < RATE_SAMPLE_SECONDS * 0.9:
                    return  # another tracker of the job sampled just now
                current = max(processed - sampled_items, 0) / elapsed
                weight = 1 - math.exp(-elapsed / RATE_HORIZON)
                rate = current if rate is None else rate + weight * (current - rate)
            BackgroundJob.objects.filter(pk=self.id).update(
                rate_per_second=rate, rate_sample_at=now, rate_sample_items=processed
            )

    def wait_until(self, when, reason: str, heartbeat_by=None):
        """The job deliberately waits until `when` (datetime) for `reason`, a msgid with a
        %(time)s placeholder shown translated as the job's waitReason until then; and
        expect_heartbeat_by(heartbeat_by or when)."""
        update_metadata(self.id, wait_until=when.isoformat(), wait_reason=reason)
        self.expect_heartbeat_by(heartbeat_by or when)

    def recount(self, read_counts):
        """The last word on the counters, whatever the job's status: like sync_counts, but
        also for a finished job, so that sends that were in flight when it was cancelled
        (or failed) are counted once they are recorded. It writes only the counters (and
        the progress they imply) from the job's own ledger, never the status, times or
        error: a terminal state stays what it is, only its tally is completed. Returns
        (success, failed)."""

        def write(success, failed):
            BackgroundJob.objects.filter(pk=self.id).update(
                processed_items=success + failed, success_count=success, failed_count=failed,
                progress=_progress(Value(success + failed)),
            )  # fmt: skip

        self._processed = self._success = self._failed = 0
        counts = self._under_row_lock(read_counts, write)
        self.sample_rate()  # a running job's rate (and ETA) moves with its chunks' last words
        return counts

    def sync_counts(self, read_counts):
        """Set absolute counts from work that keeps its own ledger: `read_counts()` returns
        (success, failed) and is read while holding the job's row lock, so concurrent
        callers write in turn and the last write carries the newest counts (SQLite's
        IMMEDIATE transactions already serialise). Returns (success, failed)."""
        return self._under_row_lock(
            read_counts, lambda success, failed: self.set_counts(success + failed, success, failed)
        )

    def _under_row_lock(self, read_counts, write):
        with transaction.atomic():
            list(BackgroundJob.objects.select_for_update().filter(pk=self.id).values_list("pk"))
            success, failed = read_counts()
            write(success, failed)
        return success, failed

    def heartbeat(self, force=False):
        """Tell the reaper this job's worker is alive (throttled like counters)."""
        if force or time.monotonic() - self._last_write >= self.interval:
            if self._processed or self._success or self._failed:
                self.flush()
            else:
                self._active().update(heartbeat_at=_beat())
                self._last_write = time.monotonic()

    def expect_heartbeat_by(self, when):
        """This job deliberately has nothing running until `when` (a datetime: a quota
        window, a retry countdown): the reaper leaves it alone until `when` plus
        JOBS_STUCK_AFTER. Never moves an announced time back."""
        self._active().update(heartbeat_at=_beat(when))

    def cancelled(self, force=False) -> bool:
        """True once the owner asked to cancel, or the job already finished (e.g. reaped).
        A Pending job (resumed, or its main task waiting to retry) is not cancelled:
        chunks still working for it carry on. Reads the row at most every `interval`
        seconds; also heartbeats."""
        if self._stop:
            return True
        if force or time.monotonic() - self._last_check >= self.interval:
            self._last_check = time.monotonic()
            row = BackgroundJob.objects.filter(pk=self.id).values_list("status", "cancel_requested").first()
            self._stop = row is None or row[0] in BackgroundJob.FINISHED or row[1]
            self.heartbeat()
        return self._stop

    def mark_cancelled(self) -> bool:
        self.flush()
        return finish_job(self.id, Status.CANCELLED, job_type=self.job_type)

    def complete(self) -> bool:
        """Running -> Completed, exactly once."""
        self.flush()
        return finish_job(
            self.id, Status.COMPLETED, only_if={"status": Status.RUNNING}, progress=100, job_type=self.job_type
        )

    def complete_if_done(self) -> bool:
        """Complete when every item is processed: safe to call from every chunk. finish_job's
        guarded UPDATE, written out (COMPLETE_SQL)."""
        self.flush()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                COMPLETE_SQL, {"id": self.id, "now": now, "completed": Status.COMPLETED, "running": Status.RUNNING}
            )
            finished = cursor.rowcount == 1
        if finished:
            _announce_finished(self.id, Status.COMPLETED, job_type=self.job_type)
        return finished

    def fail(self, message: str) -> bool:
        self.flush()
        return finish_job(self.id, Status.FAILED, error_message=message, job_type=self.job_type)


class JobTask(DjangoTask):
    """Base class for every task that works for a BackgroundJob.

    The message's first argument is the job id; the task function receives a
    JobTracker instead. Defaults: retry RetryableError up to 3 times with
    exponential backoff and jitter (capped), explicit time limits from settings;
    a TaskResult is stored only for failures (set `ignore_result = False` to keep
    successes too).
    Set `resumable = True` on tasks that can safely run again after a crash
    (the reaper then resumes instead of failing them).
    """

    resumable = False
    # The job row is the record of a success (status, counts, times): storing a
    # TaskResult too would double the writes per job. Failures (and retries,
    # revokes) are still stored, with their traceback, for admins.
    ignore_result = True
    store_errors_even_if_ignored = True
    autoretry_for = (RetryableError,)
    max_retries = 3
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True

    def __call__(self, job_id, *args, **kwargs):
        tracker = JobTracker(job_id)
        if not tracker.begin(task_id=self.request.id, task_name=self.name):
            logger.info("job %s already finished or resumed elsewhere; %s skipped", job_id, self.name)
            return None
        self.request.job_tracker = tracker
        try:
            # The worker's tracer already pushed this request, so retries resend the job id.
            return self.run(tracker, *args, **kwargs)
        finally:
            tracker.flush()

    def on_success(self, retval, task_id, args, kwargs):
        (getattr(self.request, "job_tracker", None) or JobTracker(args[0])).complete_if_done()

    def retry(self, *args, **kwargs):
        # Waiting for the countdown is not "running": keep the reaper away. Done
        # *before* the retry message is sent (not in on_retry, which runs after):
        # the next attempt may start at once (jitter can make the countdown 0) and
        # must find the job Pending, never have it flipped back under its feet.
        request = self.request
        tracker = getattr(request, "job_tracker", None)
        max_retries = kwargs.get("max_retries", self.max_retries)
        if tracker is not None and (max_retries is None or request.retries < max_retries):
            tracker.flush()
            BackgroundJob.objects.filter(pk=tracker.id, status=Status.RUNNING, task_id=request.id).update(
                status=Status.PENDING
            )
            # A chunk's retry leaves the job Running with nothing at work until its countdown.
            countdown = kwargs.get("countdown") or 0
            tracker.expect_heartbeat_by(timezone.now() + timedelta(seconds=countdown))
        return super().retry(*args, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        finish_job(args[0], Status.FAILED, error_message=user_message(exc))
