"""Every jobs API response has seed 000's keys and value types."""

import re

import pytest
from django.urls import reverse

from jobs.models import BackgroundJob

from . import seed_000
from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db


def assert_seed_item(item):
    assert set(item) == seed_000.ITEM_KEYS
    for key, value in item.items():
        if value is None:
            assert key in seed_000.NULLABLE, f"{key} is null"
            continue
        expected = seed_000.expected_type(key)
        assert type(value) is expected, f"{key}: {type(value).__name__} instead of {expected.__name__}"
    for key in seed_000.DATE_KEYS:
        if item[key] is not None:
            assert re.match(seed_000.DATE_PATTERN, item[key]), item[key]
    if item["duration"] is not None:
        assert re.match(seed_000.DURATION_PATTERN, item["duration"]), item["duration"]


@pytest.fixture
def jobs(alice):
    return {
        "pending": BackgroundJobFactory(created_by=alice),
        "running": BackgroundJobFactory(created_by=alice, running=True, total_items=150, processed_items=97),
        "completed": BackgroundJobFactory(created_by=alice, completed=True, metadata={"download_url": "/r/1/"}),
        "failed": BackgroundJobFactory(created_by=alice, failed=True),
        "cancelled": BackgroundJobFactory(created_by=alice, cancelled=True),
    }


def test_active_list_matches_the_seed(alice_client, jobs):
    response = alice_client.get(reverse("jobs:api-active"))

    assert response.status_code == 200
    assert set(response.json()) == {"success", "jobs"}
    assert response.json()["success"] is True
    items = response.json()["jobs"]
    assert {item["id"] for item in items} == {jobs["pending"].id, jobs["running"].id}
    for item in items:
        assert_seed_item(item)


def test_history_matches_the_seed(alice_client, jobs):
    response = alice_client.get(reverse("jobs:api-history"))

    assert response.status_code == 200
    assert set(response.json()) == {"success", "jobs"}
    assert len(response.json()["jobs"]) == 5
    for item in response.json()["jobs"]:
        assert_seed_item(item)


@pytest.mark.parametrize("state", ["pending", "running", "completed", "failed", "cancelled"])
def test_detail_matches_the_seed_in_every_state(alice_client, jobs, state):
    response = alice_client.get(reverse("jobs:api-detail", args=[jobs[state].id]))

    assert response.status_code == 200
    assert set(response.json()) == {"success", "job"}
    assert_seed_item(response.json()["job"])


def test_cancel_answers_with_the_seed_item(alice_client, jobs):
    response = alice_client.post(reverse("jobs:api-cancel", args=[jobs["running"].id]))

    assert response.status_code == 200
    assert set(response.json()) == {"success", "job"}
    assert_seed_item(response.json()["job"])


def test_retry_answers_with_the_seed_item(alice_client, jobs):
    response = alice_client.post(reverse("jobs:api-retry", args=[jobs["failed"].id]))

    assert response.status_code == 201
    assert set(response.json()) == {"success", "job"}
    assert_seed_item(response.json()["job"])
    assert response.json()["job"]["status"] == BackgroundJob.Status.PENDING
