"""What the reaper does with each kind of stuck job (no worker answers here)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from jobs.maintenance import reap_stuck_jobs
from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


@pytest.fixture(autouse=True)
def stuck_after_a_minute(settings):
    settings.JOBS_STUCK_AFTER = 60


def stale(**fields):
    long_ago = timezone.now() - timedelta(minutes=5)
    return BackgroundJobFactory(running=True, heartbeat_at=long_ago, started_at=long_ago, **fields)


def reap():
    return reap_stuck_jobs(inspect_timeout=0.1)


def purge_all_queues():
    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()


def reap_while_queued(task_name, *args):
    """Reap while a message for `task_name` waits in the maintenance queue (emptied after)."""
    app.send_task(task_name, args=args, queue="maintenance")
    try:
        return reap()
    finally:
        purge_all_queues()


def test_stale_job_fails_as_worker_lost(alice):
    job = stale(created_by=alice, processed_items=4, success_count=4)

    assert reap()["failed"] == 1

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error_message == "The worker running this job stopped unexpectedly (worker lost)."
    assert job.processed_items == 4


def test_stale_job_with_cancel_requested_ends_cancelled(alice):
    job = stale(created_by=alice, cancel_requested=True)

    assert reap()["cancelled"] == 1

    job.refresh_from_db()
    assert job.status == Status.CANCELLED


def test_stale_resumable_job_is_resumed_under_a_new_task_id(alice, django_capture_on_commit_callbacks):
    job = stale(created_by=alice, task_name="demo.count_items_resumable")

    with django_capture_on_commit_callbacks() as enqueued:
        assert reap()["resumed"] == 1

    resumed = BackgroundJob.objects.get(pk=job.pk)
    assert resumed.status == Status.RUNNING and resumed.heartbeat_at > job.heartbeat_at
    assert resumed.task_id != job.task_id
    assert len(enqueued) == 1


def test_resumes_that_made_progress_never_use_up_the_job(alice, settings):
    # given a resumable job resumed many times, each time after some progress
    settings.JOBS_MAX_STALLED_RESUMES = 3
    job = stale(created_by=alice, task_name="demo.count_items_resumable", attempts=9)

    for processed in range(1, 8):
        BackgroundJob.objects.filter(pk=job.pk).update(
            processed_items=processed * 10, heartbeat_at=timezone.now() - timedelta(minutes=5), queued_since=None
        )
        # then every one is resumed again
        assert reap()["resumed"] == 1

    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert (job.stalled_resumes, job.processed_at_resume) == (0, 70)


def test_job_fails_after_the_maximum_of_resumes_in_a_row_without_progress(alice, settings):
    # given a resumable job that makes no progress between resumes
    settings.JOBS_MAX_STALLED_RESUMES = 3
    job = stale(created_by=alice, task_name="demo.count_items_resumable")

    outcomes = []
    for _ in range(4):
        BackgroundJob.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=5), queued_since=None
        )
        outcomes.append(reap())

    # then three stalled resumes are allowed, the fourth fails it with a readable reason
    assert [o["resumed"] for o in outcomes] == [1, 1, 1, 0]
    assert outcomes[-1]["failed"] == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error_message == "The job stopped after repeated worker failures."


def test_a_stalled_count_is_reset_by_progress(alice, settings):
    settings.JOBS_MAX_STALLED_RESUMES = 1
    job = stale(created_by=alice, task_name="demo.count_items_resumable")
    assert reap()["resumed"] == 1  # no progress: 1 stalled

    BackgroundJob.objects.filter(pk=job.pk).update(
        processed_items=5, heartbeat_at=timezone.now() - timedelta(minutes=5), queued_since=None
    )
    assert reap()["resumed"] == 1  # progress: the count starts again

    job.refresh_from_db()
    assert job.stalled_resumes == 0


def test_job_that_never_sent_a_heartbeat_is_judged_by_its_start(alice):
    job = stale(created_by=alice)
    BackgroundJob.objects.filter(pk=job.pk).update(heartbeat_at=None)

    assert reap()["failed"] == 1


def test_fresh_pending_and_finished_jobs_are_left_alone(alice):
    fresh = BackgroundJobFactory(created_by=alice, running=True)
    pending = BackgroundJobFactory(created_by=alice)
    done = BackgroundJobFactory(created_by=alice, completed=True, heartbeat_at=timezone.now() - timedelta(hours=1))

    assert not any(reap().values())

    for job, status in ((fresh, Status.RUNNING), (pending, Status.PENDING), (done, Status.COMPLETED)):
        job.refresh_from_db()
        assert job.status == status


def test_job_with_tasks_waiting_in_the_broker_is_late_not_lost(alice, purge_queues, monkeypatch):
    # given a fan-out job whose chunks wait in the queue behind other work, a live worker on that queue
    monkeypatch.setattr("jobs.maintenance.consumed_queues", lambda timeout: {"maintenance"})
    job = stale(created_by=alice)

    # when the reaper runs while one of its chunks waits
    outcome = reap_while_queued("demo.count_chunk", job.pk, 5)

    # then the job is left running
    assert outcome["queued"] == 1 and outcome["failed"] == 0
    job.refresh_from_db()
    assert job.status == Status.RUNNING


def test_resumed_job_whose_task_waits_in_its_queue_is_not_resumed_again(alice, purge_queues):
    # given a resumed job whose new task has not started: its queue is busy with other work
    job = stale(created_by=alice, task_name="demo.count_items_resumable", queued_since=timezone.now())

    outcome = reap_while_queued("demo.noop")

    # then it is late, not lost: no second copy of its task is queued
    assert outcome["queued"] == 1 and outcome["resumed"] == 0
    assert BackgroundJob.objects.get(pk=job.pk).task_id == job.task_id


def test_resumed_job_whose_task_is_neither_queued_nor_held_is_resumed_again(alice, purge_queues):
    # given a resumed job whose task never started, its queue empty and no worker holding it
    job = stale(created_by=alice, task_name="demo.count_items_resumable", queued_since=timezone.now())

    # then the message was lost with a worker: resumed again, under a new task id
    try:
        assert reap()["resumed"] == 1
    finally:
        purge_all_queues()
    assert BackgroundJob.objects.get(pk=job.pk).task_id != job.task_id


def test_the_reaper_reads_no_private_broker_structures():
    import inspect

    from jobs import maintenance

    used = (
        maintenance.reap_stuck_jobs,
        maintenance.jobs_on_live_workers,
        maintenance.queue_lengths,
        maintenance.consumed_queues,
    )
    source = "".join(inspect.getsource(function) for function in used)
    assert "_q_for_pri" not in source and "literal_eval" not in source and "argsrepr" not in source


def test_job_whose_queue_no_worker_consumes_is_lost_even_with_messages_waiting(alice, purge_queues):
    # given a stale job whose queue holds a message (e.g. its own, requeued by RabbitMQ), no worker at all
    job = stale(created_by=alice)

    outcome = reap_while_queued("demo.count_chunk", job.pk, 5)

    # then nothing would ever run it: the job fails as worker lost
    assert outcome["failed"] == 1
