"""`manage.py jobs list|show|cancel|stats` for ops without a browser."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from config.celery import app
from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


def jobs(*args):
    out = StringIO()
    call_command("jobs", *args, stdout=out)
    return out.getvalue()


def test_list_shows_latest_jobs(alice):
    BackgroundJobFactory(created_by=alice, running=True, title="Send SMS to 150 numbers", total_items=150)

    output = jobs("list")

    assert "Send SMS to 150 numbers" in output and "Running" in output and "0/150" in output


def test_list_filters_by_status_and_user(alice, bob):
    BackgroundJobFactory(created_by=alice, failed=True, title="alice failed")
    BackgroundJobFactory(created_by=bob, failed=True, title="bob failed")
    BackgroundJobFactory(created_by=alice, completed=True, title="alice done")

    output = jobs("list", "--status", "failed", "--user", "alice")

    assert "alice failed" in output
    assert "bob failed" not in output and "alice done" not in output


def test_show_prints_every_field(alice):
    job = BackgroundJobFactory(created_by=alice, failed=True, error_message="Item 3 could not be processed.")

    output = jobs("show", str(job.pk))

    assert "Item 3 could not be processed." in output
    assert job.task_id in output
    assert "alice" in output


def test_cancel_cancels_a_pending_job(alice):
    job = BackgroundJobFactory(created_by=alice)

    assert "cancelled" in jobs("cancel", str(job.pk))

    job.refresh_from_db()
    assert job.status == Status.CANCELLED


def test_cancel_of_a_finished_job_is_an_error(alice):
    job = BackgroundJobFactory(created_by=alice, completed=True)

    with pytest.raises(CommandError, match="already finished"):
        jobs("cancel", str(job.pk))


def test_missing_job_is_an_error():
    with pytest.raises(CommandError, match="no job 424242"):
        jobs("show", "424242")


def test_stats_counts_statuses_waiting_messages_and_recent_failures(alice, purge_queues):
    # given jobs in several states, two failed in the last hour
    BackgroundJobFactory(created_by=alice, running=True)
    for _ in range(2):
        BackgroundJobFactory(created_by=alice, failed=True, queue="reports")
    BackgroundJobFactory(
        created_by=alice, failed=True, queue="reports", completed_at=timezone.now() - timedelta(days=1)
    )
    # and three messages waiting in the reports queue (no worker runs in this module)
    for _ in range(3):
        app.send_task("reports.tasks.nothing", queue="reports")

    try:
        output = jobs("stats", "--timeout", "0.2")
    finally:
        purge_queues_now()

    lines = {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.strip()}
    assert lines["Running"] == ["1"]
    assert lines["Failed"] == ["3"]
    assert lines["reports"] == ["3", "0", "2"]  # waiting, active, failed in the last hour
    assert lines["default"] == ["0", "0", "0"]


def purge_queues_now():
    from django.conf import settings

    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()
