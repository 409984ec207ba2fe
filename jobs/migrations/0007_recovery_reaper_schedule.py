"""The reaper runs every 5 seconds (was every minute), so that with JOBS_STUCK_AFTER's
default of 20 seconds a job whose worker died moves again within 30 seconds (issue 11).

Only the schedule migration 0002 created is changed: a reaper task an admin has edited
(another interval, disabled, other expiry) is left exactly as it is."""

from django.db import migrations
from django.utils import timezone

NAME = "jobs: reap stuck jobs"
OLD = {"every": 1, "period": "minutes", "expire_seconds": 50}
NEW = {"every": 5, "period": "seconds", "expire_seconds": 4}


def _reschedule(apps, old, new):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    task = PeriodicTask.objects.filter(
        name=NAME,
        enabled=True,
        interval__every=old["every"],
        interval__period=old["period"],
        expire_seconds=old["expire_seconds"],
    ).first()
    if task is None:
        return
    task.interval, _ = IntervalSchedule.objects.get_or_create(every=new["every"], period=new["period"])
    task.expire_seconds = new["expire_seconds"]
    task.save(update_fields=["interval", "expire_seconds"])
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forwards(apps, schema_editor):
    _reschedule(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _reschedule(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0006_recovery"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
