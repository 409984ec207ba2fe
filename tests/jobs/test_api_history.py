"""GET /jobs/api/history/?take=N: the owner's latest jobs, newest first."""

import pytest

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
URL = "/jobs/api/history/"


def test_newest_first_ten_by_default(alice_client, alice):
    jobs = [BackgroundJobFactory(created_by=alice, completed=True) for _ in range(12)]

    response = alice_client.get(URL)

    assert [job["id"] for job in response.json()["jobs"]] == [job.id for job in reversed(jobs)][:10]


def test_take_limits_the_count(alice_client, alice):
    jobs = [BackgroundJobFactory(created_by=alice) for _ in range(4)]

    response = alice_client.get(URL, {"take": 2})

    assert [job["id"] for job in response.json()["jobs"]] == [jobs[3].id, jobs[2].id]


def test_history_includes_active_and_finished_jobs(alice_client, alice):
    BackgroundJobFactory(created_by=alice, running=True)
    BackgroundJobFactory(created_by=alice, failed=True)

    statuses = [job["statusText"] for job in alice_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()["jobs"]]

    assert statuses == ["Failed", "Running"]


@pytest.mark.parametrize("take", ["0", "101", "-1", "ten", "2.5"])
def test_bad_take_is_400_with_field_errors(alice_client, take):
    response = alice_client.get(URL, {"take": take})

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert "take" in response.json()["errors"]


def test_take_100_is_allowed(alice_client):
    assert alice_client.get(URL, {"take": 100}).status_code == 200
