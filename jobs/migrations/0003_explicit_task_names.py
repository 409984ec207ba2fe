"""Tasks have explicit names now (no longer their module paths): rename the names
stored in beat's schedules (created by earlier code) and in BackgroundJob.task_name, so stored jobs can still
be retried and resumed, and schedules keep running."""

from django.db import migrations

RENAMED = {
    **{f"jobs.tasks.{name}": f"jobs.{name}" for name in ("reap_stuck_jobs", "cleanup_old_jobs", "cleanup_task_results")},
    **{
        f"jobs.tasks.{name}": f"demo.{name}"
        for name in (
            "count_items", "count_items_resumable", "count_items_flaky", "count_items_flaky_no_delay",
            "count_items_in_chunks", "count_chunk", "noop_job", "noop",
        )
    },
}


def rename(apps, schema_editor, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    BackgroundJob = apps.get_model("jobs", "BackgroundJob")
    for old, new in mapping.items():
        PeriodicTask.objects.filter(task=old).update(task=new)
        BackgroundJob.objects.filter(task_name=old).update(task_name=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, RENAMED)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_maintenance_periodic_tasks")]

    operations = [migrations.RunPython(forwards, backwards)]
