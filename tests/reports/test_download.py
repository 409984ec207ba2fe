"""GET /reports/<id>/download/: the owner gets the file; others 404; not ready 404; expired 410."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from jobs.models import BackgroundJob
from reports.models import Report

pytestmark = pytest.mark.django_db


def make_report(owner, *, status=BackgroundJob.Status.COMPLETED, content=b"id,name\r\n1,Ali\r\n", expires_in=7):
    job = BackgroundJob.objects.create(
        job_type=BackgroundJob.JobType.EXPORT, title="export", created_by=owner, task_name="x", status=status
    )
    report = Report.objects.create(
        kind="contacts",
        format="csv",
        owner=owner,
        job=job,
        expires_at=timezone.now() + dt.timedelta(days=expires_in),
    )
    if content is not None:
        report.file.save("contacts.csv", ContentFile(content))
    return report


def test_owner_downloads_the_file(alice_client, alice):
    report = make_report(alice)

    response = alice_client.get(f"/reports/{report.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"id,name\r\n1,Ali\r\n"
    assert "attachment" in response["Content-Disposition"] and "contacts.csv" in response["Content-Disposition"]


def test_other_user_gets_404(bob_client, alice):
    report = make_report(alice)

    assert bob_client.get(f"/reports/{report.pk}/download/").status_code == 404


def test_expired_report_gets_410(alice_client, alice):
    report = make_report(alice, expires_in=-1)

    assert alice_client.get(f"/reports/{report.pk}/download/").status_code == 410


@pytest.mark.parametrize("status", [BackgroundJob.Status.PENDING, BackgroundJob.Status.RUNNING])
def test_report_still_being_built_gets_404(alice_client, alice, status):
    report = make_report(alice, status=status, content=None)

    assert alice_client.get(f"/reports/{report.pk}/download/").status_code == 404


def test_report_whose_job_was_cancelled_gets_404_even_with_a_file(alice_client, alice):
    report = make_report(alice, status=BackgroundJob.Status.CANCELLED)

    assert alice_client.get(f"/reports/{report.pk}/download/").status_code == 404


def test_anonymous_gets_no_file(client, alice):
    report = make_report(alice)

    assert client.get(f"/reports/{report.pk}/download/").status_code in (401, 403)
