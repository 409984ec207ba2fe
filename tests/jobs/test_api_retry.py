"""POST /jobs/api/<id>/retry/: a failed or cancelled job starts again as a new job."""

import pytest
from django.urls import reverse

from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


def retry(client, job):
    return client.post(reverse("jobs:api-retry", args=[job.id]))


@pytest.mark.parametrize("state", ["failed", "cancelled"])
def test_retry_creates_a_new_linked_job(alice_client, alice, state, django_capture_on_commit_callbacks):
    job = BackgroundJobFactory(created_by=alice, task_kwargs={"items": 7}, total_items=7, **{state: True})

    with django_capture_on_commit_callbacks() as enqueued:
        response = retry(alice_client, job)

    assert response.status_code == 201
    new = BackgroundJob.objects.get(pk=response.json()["job"]["id"])
    assert new.pk != job.pk
    assert new.retry_of == job
    assert (new.status, new.created_by, new.task_name, new.task_kwargs) == (
        Status.PENDING, alice, job.task_name, {"items": 7},
    )  # fmt: skip
    assert new.task_id != job.task_id
    assert len(enqueued) == 1  # its task is sent once the transaction commits


@pytest.mark.parametrize("state", ["pending", "running", "completed"])
def test_only_failed_or_cancelled_jobs_can_be_retried(alice_client, alice, state):
    traits = {} if state == "pending" else {state: True}
    job = BackgroundJobFactory(created_by=alice, **traits)

    response = retry(alice_client, job)

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert BackgroundJob.objects.count() == 1
