"""GET /jobs/api/<id>/: one job, its values as the header widget shows them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
TEHRAN = ZoneInfo("Asia/Tehran")


def detail(client, job, **headers):
    response = client.get(reverse("jobs:api-detail", args=[job.id]), **headers)
    assert response.status_code == 200
    assert response.json()["success"] is True
    return response.json()["job"]


def test_url_is_as_designed():
    assert reverse("jobs:api-detail", args=[7]) == "/jobs/api/7/"


def test_completed_job_values(alice_client, alice, settings):
    settings.TIME_ZONE = "Asia/Tehran"
    started = datetime(2024, 11, 17, 14, 30, 5, tzinfo=TEHRAN)
    job = BackgroundJobFactory(
        created_by=alice, completed=True, job_type=BackgroundJob.JobType.SMS, total_items=150,
        processed_items=150, success_count=148, failed_count=2,
        started_at=started, completed_at=started + timedelta(minutes=15, seconds=30),
    )  # fmt: skip

    item = detail(alice_client, job, HTTP_ACCEPT_LANGUAGE="en")

    assert item == {
        "id": job.id,
        "title": job.title,
        "description": "Message text...",
        "jobType": 0,
        "jobTypeText": "Bulk SMS",
        "status": 2,
        "statusText": "Completed",
        "statusBadgeClass": "bg-success",
        "progress": 100,
        "totalItems": 150,
        "processedItems": 150,
        "successCount": 148,
        "failedCount": 2,
        "startDate": "2024/11/17 14:30",
        "completedDate": "2024/11/17 14:45",
        "duration": "15:30",
        "errorMessage": None,
        "downloadUrl": None,
        "queuePosition": None,
        "ratePerSecond": None,
        "etaSeconds": None,
        "waitReason": None,
    }


def test_persian_dates_are_jalali(alice_client, alice):
    started = datetime(2024, 11, 17, 14, 30, tzinfo=TEHRAN)
    job = BackgroundJobFactory(created_by=alice, completed=True, started_at=started, completed_at=started)

    item = detail(alice_client, job, HTTP_ACCEPT_LANGUAGE="fa")

    assert item["startDate"] == "1403/08/27 14:30"


@pytest.mark.parametrize(
    "status,badge",
    [(0, "bg-secondary"), (1, "bg-primary"), (2, "bg-success"), (3, "bg-danger"), (4, "bg-warning")],
)
def test_badge_class_per_status(alice_client, alice, status, badge):
    job = BackgroundJobFactory(created_by=alice, status=status)

    assert detail(alice_client, job)["statusBadgeClass"] == badge


def test_pending_job_has_a_start_date_but_no_duration(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice)

    item = detail(alice_client, job)

    assert item["startDate"] is not None  # when it was queued
    assert (item["completedDate"], item["duration"]) == (None, None)


def test_long_job_duration_has_hours(alice_client, alice):
    started = datetime(2024, 11, 17, 10, 0, tzinfo=TEHRAN)
    job = BackgroundJobFactory(
        created_by=alice, completed=True, started_at=started, completed_at=started + timedelta(hours=1, seconds=62)
    )

    assert detail(alice_client, job)["duration"] == "1:01:02"


def test_failed_job_shows_its_message(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice, failed=True, error_message="Item 3 could not be processed.")

    item = detail(alice_client, job)

    assert (item["statusBadgeClass"], item["errorMessage"]) == ("bg-danger", "Item 3 could not be processed.")


def test_report_download_url_comes_from_metadata(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice, completed=True, metadata={"download_url": "/reports/5/download/"})

    assert detail(alice_client, job)["downloadUrl"] == "/reports/5/download/"


def test_non_string_download_url_is_null(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice, completed=True, metadata={"download_url": 5})

    assert detail(alice_client, job)["downloadUrl"] is None
