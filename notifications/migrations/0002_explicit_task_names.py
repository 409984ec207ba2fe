"""Tasks have explicit names now (no longer their module paths): rename the names
stored in beat's schedules and in BackgroundJob.task_name, so stored jobs can still
be retried and resumed, and schedules keep running."""

from django.db import migrations

RENAMED = {
    f"notifications.tasks.{name}": f"notifications.{name}"
    for name in ("send_sms_campaign", "send_email_campaign", "send_sms_chunk", "send_email_chunk")
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
    dependencies = [("notifications", "0001_initial"), ("jobs", "0003_explicit_task_names")]

    operations = [migrations.RunPython(forwards, backwards)]
