"""The daily report's schedule: priority 0, the lowest now that 9 is the most
urgent on every broker (config/brokers.py); 0002 used to write 9, the lowest on
stock Redis."""

from django.db import migrations

DAILY_REPORT = "reports: daily report"


def to_lowest(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=DAILY_REPORT, priority=9).update(priority=0)


def to_redis_lowest(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=DAILY_REPORT, priority=0).update(priority=9)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_explicit_task_names")]

    operations = [migrations.RunPython(to_lowest, to_redis_lowest)]
