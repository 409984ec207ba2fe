"""The beat schedule of the queue backlog check (django-celery-beat), created once by
name: admins may change or disable it in the admin, later deploys keep their edits."""

from django.db import migrations
from django.utils import timezone

NAME = "ops: check queue backlogs"


def create_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.create(
        name=NAME,
        task="ops.check_queues",
        interval=every_minute,
        expire_seconds=50,  # a run that waited longer is skipped, the next one comes soon
        description="Email ADMINS when a queue holds ALERT_QUEUE_BACKLOG messages or its oldest waited "
        "ALERT_QUEUE_AGE seconds (ALERTS_ENABLED, throttled by ALERTS_THROTTLE).",
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})  # beat reloads


class Migration(migrations.Migration):
    dependencies = [("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
