"""The data migration creates the beat schedules once and never overwrites admins' edits."""

import pytest
from django_celery_beat.models import PeriodicTask

from config.celery import app
from tests.reports.conftest import create_schedules

pytestmark = pytest.mark.django_db


def test_migration_creates_daily_report_and_cleanup_schedules(schedules):
    daily = PeriodicTask.objects.get(name="reports: daily report")
    cleanup = PeriodicTask.objects.get(name="reports: delete expired reports")

    assert daily.task == "reports.send_daily_report"
    assert str(daily.crontab).startswith("0 0 * * *")
    assert cleanup.task == "reports.delete_expired_reports"
    assert daily.enabled and cleanup.enabled
    # the names resolve to registered tasks (the admin's "Run selected tasks" needs that)
    app.loader.import_default_modules()
    assert {daily.task, cleanup.task} <= set(app.tasks)


def test_running_it_again_keeps_admin_edits(schedules):
    # given: an admin disabled the daily report and changed its arguments
    PeriodicTask.objects.filter(name="reports: daily report").update(enabled=False, kwargs='{"day": "2026-01-01"}')

    # when: a later deploy runs the migration code again
    create_schedules()

    # then
    daily = PeriodicTask.objects.get(name="reports: daily report")
    assert not daily.enabled and daily.kwargs == '{"day": "2026-01-01"}'
    assert PeriodicTask.objects.filter(name__startswith="reports:").count() == 2
