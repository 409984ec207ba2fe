"""Cleanup deletes only finished jobs past the retention, and old task results."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_results.models import TaskResult

from jobs.maintenance import delete_old_jobs, delete_old_task_results
from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_only_old_finished_jobs_are_deleted(alice, settings):
    settings.JOBS_RETENTION_DAYS = 7
    old_done = [
        BackgroundJobFactory(created_by=alice, completed=True, completed_at=days_ago(8)),
        BackgroundJobFactory(created_by=alice, failed=True, completed_at=days_ago(30)),
        BackgroundJobFactory(created_by=alice, cancelled=True, completed_at=days_ago(8)),
    ]
    recent_done = BackgroundJobFactory(created_by=alice, completed=True, completed_at=days_ago(6))
    old_pending = BackgroundJobFactory(created_by=alice)
    old_running = BackgroundJobFactory(created_by=alice, running=True)
    BackgroundJob.objects.filter(pk__in=[old_pending.pk, old_running.pk]).update(created_at=days_ago(60))

    deleted = delete_old_jobs()

    assert deleted == 3
    remaining = set(BackgroundJob.objects.values_list("pk", flat=True))
    assert remaining == {recent_done.pk, old_pending.pk, old_running.pk}
    assert not remaining & {job.pk for job in old_done}


def test_deletes_in_batches(alice, monkeypatch):
    monkeypatch.setattr("jobs.maintenance.BATCH_SIZE", 2)
    for _ in range(5):
        BackgroundJobFactory(created_by=alice, completed=True, completed_at=days_ago(8))

    with CaptureQueriesContext(connection) as queries:
        assert delete_old_jobs(days=7) == 5

    assert not BackgroundJob.objects.exists()
    deletes = [q for q in queries if q["sql"].startswith('DELETE FROM "jobs_backgroundjob"')]
    assert len(deletes) == 3  # 2 + 2 + 1


def test_a_retry_survives_its_deleted_original(alice):
    original = BackgroundJobFactory(created_by=alice, failed=True, completed_at=days_ago(8))
    retry = BackgroundJobFactory(created_by=alice, retry_of=original)

    delete_old_jobs(days=7)

    retry.refresh_from_db()
    assert retry.retry_of is None


def test_old_task_results_are_deleted(settings):
    settings.CELERY_RESULT_EXPIRES = 24 * 3600
    old = TaskResult.objects.create(task_id="old", status="SUCCESS")
    recent = TaskResult.objects.create(task_id="recent", status="SUCCESS")
    TaskResult.objects.filter(pk=old.pk).update(date_done=days_ago(2))

    assert delete_old_task_results() == 1

    assert list(TaskResult.objects.values_list("task_id", flat=True)) == [recent.task_id]
