"""The CRM page /reports/: the user's own reports with status and download links, and a request form."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from jobs.models import BackgroundJob
from reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_browser(browser, alice):
    return browser(alice)


def ready_report(owner):
    job = BackgroundJob.objects.create(job_type=3, title="e", created_by=owner, task_name="x", status=2)
    report = Report.objects.create(
        kind="contacts", format="csv", owner=owner, job=job, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    report.file.save("c.csv", ContentFile(b"x"))
    return report


def test_page_lists_own_reports_with_download_links(alice_browser, alice, bob):
    mine, theirs = ready_report(alice), ready_report(bob)

    response = alice_browser.get("/reports/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="report-{mine.pk}"' in html and f"/reports/{mine.pk}/download/" in html
    assert f'id="report-{theirs.pk}"' not in html
    assert "base.html" in [t.name for t in response.templates]


def test_page_needs_login(client):
    response = client.get("/reports/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_form_requests_a_report(alice_browser, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = alice_browser.post("/reports/", {"kind": "contacts", "format": "xlsx", "tag": "vip", "from": ""})

    assert response.status_code == 302
    report = Report.objects.get(owner=alice)
    assert (report.kind, report.format, report.parameters) == ("contacts", "xlsx", {"tag": "vip"})
    assert report.job.created_by == alice


def test_form_with_bad_dates_shows_errors_and_starts_nothing(alice_browser):
    response = alice_browser.post(
        "/reports/", {"kind": "jobs", "format": "csv", "from": "2026-02-01", "to": "2026-01-01"}
    )

    assert response.status_code == 400
    assert "The start date must not be after the end date." in response.content.decode()
    assert not Report.objects.exists() and not BackgroundJob.objects.exists()
