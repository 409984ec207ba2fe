"""A deleted report takes its stored file with it (admin, cleanup, cascades)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Report


@receiver(post_delete, sender=Report, dispatch_uid="reports_delete_file")
def delete_report_file(sender, instance, **kwargs):
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        # Only once the delete is committed: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: storage.delete(name))
