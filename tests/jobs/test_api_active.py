"""GET /jobs/api/active/: the owner's pending and running jobs, with conditional GET."""

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import JobTracker, cancel_job

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
URL = "/jobs/api/active/"


def test_lists_only_pending_and_running_jobs(alice_client, alice):
    pending = BackgroundJobFactory(created_by=alice)
    running = BackgroundJobFactory(created_by=alice, running=True)
    BackgroundJobFactory(created_by=alice, completed=True)
    BackgroundJobFactory(created_by=alice, failed=True)

    jobs = alice_client.get(URL).json()["jobs"]

    assert [job["id"] for job in jobs] == [running.id, pending.id]
    assert [job["statusBadgeClass"] for job in jobs] == ["bg-primary", "bg-secondary"]


def test_unchanged_list_is_304(alice_client, alice):
    BackgroundJobFactory(created_by=alice, running=True)
    first = alice_client.get(URL)

    second = alice_client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == first["ETag"]


def test_empty_list_is_304_too(alice_client):
    first = alice_client.get(URL)
    assert alice_client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_progress_makes_it_200_again(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice, running=True, total_items=10)
    etag = alice_client.get(URL)["ETag"]

    JobTracker(job.id, interval=0).advance(success=1)  # interval 0: written at once
    response = alice_client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["jobs"][0]["processedItems"] == 1
    assert response["ETag"] != etag


def test_a_new_job_makes_it_200_again(alice_client, alice):
    etag = alice_client.get(URL)["ETag"]

    BackgroundJobFactory(created_by=alice)

    assert alice_client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_finished_job_makes_it_200_again(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice)
    etag = alice_client.get(URL)["ETag"]

    cancel_job(job)
    response = alice_client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["jobs"] == []


def test_another_users_change_keeps_it_304(alice_client, alice, bob):
    BackgroundJobFactory(created_by=alice, running=True)
    etag = alice_client.get(URL)["ETag"]

    BackgroundJobFactory(created_by=bob)

    assert alice_client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_another_language_gets_another_etag(alice_client, alice):
    BackgroundJobFactory(created_by=alice, running=True)
    etag = alice_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")["ETag"]

    assert alice_client.get(URL, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="fa").status_code == 200


def test_browsers_revalidate_instead_of_reusing(alice_client):
    response = alice_client.get(URL)

    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_status_text_follows_the_request_language(alice_client, alice):
    BackgroundJobFactory(created_by=alice, running=True, job_type=BackgroundJob.JobType.REPORT)

    job = alice_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()["jobs"][0]

    assert (job["statusText"], job["jobTypeText"]) == ("Running", "Report generation")
