"""Expired reports lose their files and rows; others and reports still being built stay."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from jobs.models import BackgroundJob
from reports.models import Report
from reports.tasks import delete_expired_reports

pytestmark = pytest.mark.django_db(transaction=True)


def make(owner, days, status=BackgroundJob.Status.COMPLETED):
    job = BackgroundJob.objects.create(job_type=2, title="r", created_by=owner, task_name="x", status=status)
    report = Report.objects.create(
        kind="jobs", format="csv", owner=owner, job=job, expires_at=timezone.now() + dt.timedelta(days=days)
    )
    report.file.save("jobs.csv", ContentFile(b"a,b\r\n"))
    return report


def test_expired_reports_are_deleted_with_their_files(alice):
    # given
    expired, fresh, building = make(alice, -1), make(alice, 3), make(alice, -1, status=BackgroundJob.Status.RUNNING)
    expired_name = expired.file.name

    # when: the beat task's body (a plain function call, as beat would run it)
    delete_expired_reports()

    # then
    assert set(Report.objects.values_list("pk", flat=True)) == {fresh.pk, building.pk}
    assert not default_storage.exists(expired_name)
    assert default_storage.exists(fresh.file.name)
