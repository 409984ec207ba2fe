"""Demo and benchmark jobs that exercise the whole pipeline (worker, tracking,
widget): counting jobs, a fan-out, the retry policy, and no-op probes.

Their names (`demo.*`) are stored in jobs' task_name and routed to the
`maintenance` queue (CELERY_TASK_ROUTES); they stay the same wherever the code lives."""

import time

from celery import shared_task

from jobs.tracking import JobError, JobTask, RetryableError

# --- demo jobs --------------------------------------------------------------------


@shared_task(name="demo.count_items", base=JobTask)
def count_items(tracker, items: int = 10, fail_at: int | None = None, delay: float = 0):
    """A demo/ops job: counts `items` items (`delay` seconds each), failing at
    `fail_at` if given. Checks the whole pipeline end to end."""
    tracker.set_total(items)
    for i in range(items):
        if tracker.cancelled():
            return tracker.mark_cancelled()
        if fail_at is not None and i == fail_at:
            raise JobError(f"Item {i} could not be processed.")
        if delay:
            time.sleep(delay)
        tracker.advance(success=1)


@shared_task(name="demo.count_items_resumable", base=JobTask, resumable=True)
def count_items_resumable(tracker, items: int = 10, delay: float = 0):
    """Like count_items, but safe to run again after a crash: it continues from the
    count already recorded on the job (the reaper resumes it instead of failing it)."""
    tracker.set_total(items)
    done = tracker.load().processed_items
    for _ in range(done, items):
        if tracker.cancelled():
            return tracker.mark_cancelled()
        if delay:
            time.sleep(delay)
        tracker.advance(success=1)
        tracker.flush()  # the recorded count is the resume point: keep it exact


@shared_task(name="demo.count_items_flaky", base=JobTask, max_retries=2, retry_backoff=1, retry_backoff_max=2)
def count_items_flaky(tracker, items: int = 5, failing_attempts: int = 1):
    """A demo of the retry policy: the first `failing_attempts` attempts hit a
    transient error (RetryableError), later ones count normally."""
    _count_unless_failing(tracker, items, failing_attempts)


@shared_task(
    name="demo.count_items_flaky_no_delay", base=JobTask, max_retries=5, retry_backoff=False, default_retry_delay=0
)
def count_items_flaky_no_delay(tracker, items: int = 5, failing_attempts: int = 1):
    """count_items_flaky retried at once (countdown 0): the next attempt starts while
    the failed one is still winding down."""
    _count_unless_failing(tracker, items, failing_attempts)


def _count_unless_failing(tracker, items, failing_attempts):
    if tracker.load().attempts <= failing_attempts:
        raise RetryableError("the counting service is unavailable")
    tracker.set_total(items)
    for _ in range(items):
        tracker.advance(success=1)


@shared_task(name="demo.count_items_in_chunks", base=JobTask)
def count_items_in_chunks(tracker, items: int = 100, chunks: int = 20, delay: float = 0):
    """A demo fan-out: sets the total, then counts in `chunks` parallel chunk tasks;
    the chunk that finishes the last item completes the job (exactly once)."""
    tracker.set_total(items)
    size, extra = divmod(items, chunks)
    for n in range(chunks):
        count_chunk.apply_async(args=[tracker.id, size + (1 if n < extra else 0), delay])


@shared_task(name="demo.count_chunk", base=JobTask, ignore_result=False)  # results kept: tests count the completions
def count_chunk(tracker, items: int, delay: float = 0):
    """One chunk of count_items_in_chunks. Returns whether this chunk completed the job."""
    for _ in range(items):
        if delay:
            time.sleep(delay)
        tracker.advance(success=1)
    return {"completed": tracker.complete_if_done()}


# --- probes (bench/bench_jobs.py, ops) ---------------------------------------------


@shared_task(name="demo.noop_job", base=JobTask)
def noop_job(tracker):
    """A job that does nothing: what the tracking itself costs (bench/bench_jobs.py)."""


@shared_task(name="demo.noop", ignore_result=True)
def noop():
    """A bare Celery task that does nothing: the baseline for noop_job."""
