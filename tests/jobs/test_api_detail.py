"""GET /jobs/api/<id>/: one job, its values as the header widget shows them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory
from .seed_000 import DETAIL_ITEM

pytestmark = pytest.mark.django_db
TEHRAN = ZoneInfo("Asia/Tehran")


def detail(client, job, **headers):
    response = client.get(reverse("jobs:api-detail", args=[job.id]), **headers)
    assert response.status_code == 200
    assert response.json()["success"] is True
    return response.json()["job"]


def test_completed_job_values(alice_client, alice, settings):
    settings.TIME_ZONE = "Asia/Tehran"
    started = datetime(2024, 11, 17, 14, 30, 5, tzinfo=TEHRAN)
    job = BackgroundJobFactory(
        created_by=alice, completed=True, job_type=BackgroundJob.JobType.SMS, total_items=150,
        processed_items=150, success_count=148, failed_count=2,
        started_at=started, completed_at=started + timedelta(minutes=15, seconds=30),
    )  # fmt: skip

    item = detail(alice_client, job, HTTP_ACCEPT_LANGUAGE="en")

    # the seed's detail example (its counts, dates and duration), in English
    assert item == {
        **DETAIL_ITEM,
        "id": job.id,
        "title": job.title,
        "description": "Message text...",
        "jobType": 0,
        "jobTypeText": "Bulk SMS",
        "status": 2,
        "statusText": "Completed",
        "statusBadgeClass": "bg-success",
        "downloadUrl": None,
        "queuePosition": None,
        "ratePerSecond": None,
        "etaSeconds": None,
        "waitReason": None,
        "detailUrl": None,
        "scheduledFor": None,
        "failureSummary": None,  # no summary stored by its app
        "outcomeBadgeClass": "bg-warning",  # completed with failures
    }


def test_failure_summary_is_translated_from_stored_metadata(alice_client, alice):
    summary = {
        "failed": 1097,
        "total": 3000,
        "groups": [
            {"count": 1078, "reason": "The SMS gateway rejected the message (400): unknown number"},
            {"count": 19, "reason": "gave up after %(n)d attempts", "params": {"n": 4}},
        ],
    }
    job = BackgroundJobFactory(
        created_by=alice, completed=True, failed_count=1097, metadata={"failure_summary": summary}
    )

    en = detail(alice_client, job, HTTP_ACCEPT_LANGUAGE="en")["failureSummary"]
    fa = detail(alice_client, job, HTTP_ACCEPT_LANGUAGE="fa")["failureSummary"]

    assert en == (
        "1,097 of 3,000 failed: 1,078 × The SMS gateway rejected the message (400): unknown number; "
        "19 × gave up after 4 attempts"
    )
    assert "ناموفق" in fa and "رها شده پس از 4 تلاش" in fa


def test_scheduled_pending_job_shows_when_it_starts(alice_client, alice):
    when = datetime(2024, 11, 18, 9, 0, tzinfo=TEHRAN)
    job = BackgroundJobFactory(created_by=alice, scheduled_for=when, awaiting_schedule=True)

    assert detail(alice_client, job, HTTP_ACCEPT_LANGUAGE="en")["scheduledFor"] == "2024/11/18 09:00"
    assert detail(alice_client, job, HTTP_ACCEPT_LANGUAGE="fa")["scheduledFor"] == "1403/08/28 09:00"


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
