"""Create the reports' beat schedules (django-celery-beat), once.

get_or_create by name: a later deploy never overwrites what admins changed
(cron, enabled, arguments); a deleted task is created again on a fresh database
only. Reversing leaves them in place.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TASKS = [
    {
        "name": "reports: daily report",
        "task": "reports.send_daily_report",
        "cron": ("0", "0"),  # 00:00 every day (seed 004)
        "description": "Previous day's messaging and jobs reports (XLSX) emailed to staff. "
        'kwargs {"day": "YYYY-MM-DD"} reruns a given day.',
    },
    {
        "name": "reports: delete expired reports",
        "task": "reports.delete_expired_reports",
        "cron": ("30", "3"),  # 03:30 every day
        "description": "Deletes report files and rows past their expiry (REPORTS_EXPIRE_DAYS).",
    },
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    created = False
    for spec in TASKS:
        minute, hour = spec["cron"]
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        _, new = PeriodicTask.objects.get_or_create(
            name=spec["name"],
            defaults={
                "task": spec["task"],
                "crontab": crontab,
                "queue": "reports",
                # Low priority (seed 004): 0 is the lowest on every broker (config/brokers.py),
                # so users' own report requests on the same queue go first. (Databases
                # migrated before priorities were unified got 9: 0003 moves them to 0.)
                "priority": 0,
                "description": spec["description"],
                "args": "[]",
                "kwargs": "{}",
                "enabled": True,
            },
        )
        created = created or new
    if created:
        # Tell a running beat (DatabaseScheduler) to reload its schedule.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, migrations.RunPython.noop)]
