"""The tracker's part in crash recovery: the last recount of a finished job, deliberate
waits, and what a resume records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.maintenance import stuck_jobs
from jobs.models import BackgroundJob
from jobs.tracking import JobTracker, resume_job

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


def test_recount_completes_a_finished_jobs_tally_and_nothing_else(alice):
    # given a job cancelled while sends were in flight
    job = BackgroundJobFactory(created_by=alice, cancelled=True, total_items=100, processed_items=56, success_count=56)
    before = BackgroundJob.objects.get(pk=job.pk)

    # when the in-flight outcomes are recorded and counted
    assert JobTracker(job.pk).recount(lambda: (64, 2)) == (64, 2)

    # then the counters equal the ledger; status, times and message stay as they were
    job.refresh_from_db()
    assert (job.processed_items, job.success_count, job.failed_count, job.progress) == (66, 64, 2, 66)
    assert (job.status, job.completed_at, job.error_message) == (Status.CANCELLED, before.completed_at, "")


def test_ordinary_counter_writes_never_touch_a_finished_job(alice):
    job = BackgroundJobFactory(created_by=alice, cancelled=True, processed_items=5, success_count=5)

    JobTracker(job.pk).sync_counts(lambda: (9, 0))

    job.refresh_from_db()
    assert job.success_count == 5


def test_a_deliberate_wait_keeps_the_reaper_away_until_its_time(alice, settings):
    settings.JOBS_STUCK_AFTER = 20
    job = BackgroundJobFactory(created_by=alice, running=True, heartbeat_at=timezone.now() - timedelta(minutes=5))
    tracker = JobTracker(job.pk, interval=0)

    tracker.expect_heartbeat_by(timezone.now() + timedelta(seconds=60))
    tracker.heartbeat(force=True)  # a heartbeat meanwhile does not shorten the announced wait

    now = timezone.now()
    assert not stuck_jobs(now=now + timedelta(seconds=75)).filter(pk=job.pk).exists()
    assert stuck_jobs(now=now + timedelta(seconds=85)).filter(pk=job.pk).exists()


def test_resume_records_the_queued_task_and_its_progress(alice):
    job = BackgroundJobFactory(created_by=alice, running=True, processed_items=40, stalled_resumes=2)

    assert resume_job(job)

    job.refresh_from_db()
    assert job.queued_since is not None and job.resumed_at is not None
    assert (job.stalled_resumes, job.processed_at_resume) == (0, 40)
    # the new task starting clears "queued"
    JobTracker(job.pk).begin(task_id=job.task_id)
    job.refresh_from_db()
    assert job.queued_since is None and job.attempts == 2


def test_a_main_task_superseded_by_a_resume_does_not_run(alice):
    # given a job resumed under a new task id while its old message was still around
    job = BackgroundJobFactory(created_by=alice, running=True, task_name="demo.count_items_resumable")
    old_task_id = job.task_id
    assert resume_job(job)

    # then the old copy is refused, the resumed one and other tasks of the job (chunks) run
    tracker = JobTracker(job.pk)
    assert not tracker.begin(task_id=old_task_id, task_name="demo.count_items_resumable")
    assert tracker.begin(task_id="a-chunk", task_name="demo.count_chunk")
    assert tracker.begin(task_id=job.task_id, task_name="demo.count_items_resumable")
