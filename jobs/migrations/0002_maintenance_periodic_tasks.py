"""Beat schedules of the jobs platform's maintenance tasks (django-celery-beat).

Created once by name: admins may edit, reschedule or disable them in the Django
admin, and no later deploy overwrites their changes (an existing task of the same
name is left exactly as it is)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

PERIODIC_TASKS = [
    {
        "name": "jobs: reap stuck jobs",
        "task": "jobs.reap_stuck_jobs",
        "interval": {"every": 1, "period": "minutes"},
        "expire_seconds": 50,  # a run that waited longer is skipped, the next one comes soon
        "description": "Resume or fail Running jobs whose worker stopped sending heartbeats (JOBS_STUCK_AFTER).",
    },
    {
        "name": "jobs: delete old finished jobs",
        "task": "jobs.cleanup_old_jobs",
        "crontab": {"minute": "30", "hour": "3"},
        "expire_seconds": 3600,
        "description": "Delete finished jobs older than JOBS_RETENTION_DAYS; active jobs are never deleted.",
    },
    {
        "name": "jobs: delete old task results",
        "task": "jobs.cleanup_task_results",
        "crontab": {"minute": "45", "hour": "3"},
        "expire_seconds": 3600,
        "description": "Delete Celery task results older than CELERY_RESULT_EXPIRES, in batches.",
    },
]


def create_periodic_tasks(apps, schema_editor, specs=PERIODIC_TASKS):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    created = False
    for spec in specs:
        if PeriodicTask.objects.filter(name=spec["name"]).exists():
            continue
        schedule = {}
        if "interval" in spec:
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(**spec["interval"])
        else:
            cron = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", **spec["crontab"]}
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                **cron, timezone=getattr(settings, "CELERY_TIMEZONE", None) or settings.TIME_ZONE
            )
        PeriodicTask.objects.create(
            name=spec["name"],
            task=spec["task"],
            expire_seconds=spec["expire_seconds"],
            description=spec["description"],
            **schedule,
        )
        created = True
    if created:  # tell a running beat (DatabaseScheduler) to reload
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_periodic_tasks, migrations.RunPython.noop)]
