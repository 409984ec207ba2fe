"""Maintenance runs as django-celery-beat periodic tasks that admins own after the first deploy."""

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from config.celery import app

pytestmark = pytest.mark.django_db
migration = importlib.import_module("jobs.migrations.0002_maintenance_periodic_tasks")
every_5_seconds = importlib.import_module("jobs.migrations.0007_recovery_reaper_schedule")
NAMES = {
    "jobs: reap stuck jobs": "jobs.reap_stuck_jobs",
    "jobs: delete old finished jobs": "jobs.cleanup_old_jobs",
    "jobs: delete old task results": "jobs.cleanup_task_results",
}


def test_migration_created_the_schedules():
    tasks = {task.name: task for task in PeriodicTask.objects.filter(name__in=NAMES)}

    assert {name: task.task for name, task in tasks.items()} == NAMES
    assert all(task.enabled for task in tasks.values())
    reaper = tasks["jobs: reap stuck jobs"]
    assert (reaper.interval.every, reaper.interval.period, reaper.expire_seconds) == (5, "seconds", 4)
    cleanup = tasks["jobs: delete old finished jobs"]
    assert (cleanup.crontab.minute, cleanup.crontab.hour) == ("30", "3")


def test_scheduled_tasks_exist_and_go_to_the_maintenance_queue():
    app.loader.import_default_modules()
    for name in NAMES.values():
        assert name in app.tasks
        assert app.tasks[name].ignore_result
        assert app.amqp.router.route({}, name)["queue"].name == "maintenance"


def test_a_later_deploy_keeps_admins_edits():
    # given an admin who disabled the reaper and moved the cleanup
    PeriodicTask.objects.filter(name="jobs: reap stuck jobs").update(enabled=False)
    PeriodicTask.objects.filter(name="jobs: delete old finished jobs").update(task="custom.cleanup")
    # and one who deleted a schedule
    PeriodicTask.objects.filter(name="jobs: delete old task results").delete()

    # when the migration's code runs again (fresh deploy of the same data)
    migration.create_periodic_tasks(apps, None)

    # then their edits stand; only the missing one is created again
    assert not PeriodicTask.objects.get(name="jobs: reap stuck jobs").enabled
    assert PeriodicTask.objects.get(name="jobs: delete old finished jobs").task == "custom.cleanup"
    assert PeriodicTask.objects.filter(name="jobs: delete old task results").count() == 1


def test_the_reaper_moves_to_every_5_seconds_only_where_nobody_changed_it():
    # given the schedule as the first deploy created it
    PeriodicTask.objects.filter(name="jobs: reap stuck jobs").delete()
    migration.create_periodic_tasks(apps, None)

    # when the recovery migration runs
    every_5_seconds.forwards(apps, None)

    # then it runs every 5 seconds
    reaper = PeriodicTask.objects.get(name="jobs: reap stuck jobs")
    assert (reaper.interval.every, reaper.interval.period) == (5, "seconds")


def test_an_admins_reaper_schedule_is_left_alone():
    # given an admin who set the reaper to every 2 minutes
    reaper = PeriodicTask.objects.get(name="jobs: reap stuck jobs")
    every_5_seconds.backwards(apps, None)
    PeriodicTask.objects.filter(pk=reaper.pk).update(expire_seconds=100)

    # when the recovery migration runs
    every_5_seconds.forwards(apps, None)

    # then their choice stands
    reaper.refresh_from_db()
    assert (reaper.interval.every, reaper.interval.period, reaper.expire_seconds) == (1, "minutes", 100)
