"""POST /jobs/api/<id>/cancel/: the owner cancels a pending or running job."""

import pytest
from django.urls import reverse

from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


def cancel(client, job):
    return client.post(reverse("jobs:api-cancel", args=[job.id]))


def test_pending_job_is_cancelled_at_once(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice)

    response = cancel(alice_client, job)

    assert response.status_code == 200
    assert response.json()["job"]["status"] == Status.CANCELLED
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.completed_at is not None


def test_running_job_is_asked_to_stop_and_keeps_its_counts(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice, running=True, total_items=10, processed_items=4, success_count=4)

    response = cancel(alice_client, job)

    assert response.status_code == 200
    job.refresh_from_db()
    assert job.cancel_requested
    assert job.status == Status.RUNNING  # until the task's next check
    assert (job.processed_items, job.success_count) == (4, 4)


@pytest.mark.parametrize("state", ["completed", "failed", "cancelled"])
def test_finished_job_cannot_be_cancelled(alice_client, alice, state):
    job = BackgroundJobFactory(created_by=alice, **{state: True})

    response = cancel(alice_client, job)

    assert response.status_code == 400
    assert response.json()["success"] is False
    job.refresh_from_db()
    assert job.status == getattr(Status, state.upper())


def test_get_is_not_allowed(alice_client, alice):
    job = BackgroundJobFactory(created_by=alice)

    assert alice_client.get(reverse("jobs:api-cancel", args=[job.id])).status_code == 405
