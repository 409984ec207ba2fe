"""Who may use the jobs API: owners only, authenticated, CSRF-protected sessions."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


@pytest.fixture
def alices_failed_job(alice):
    return BackgroundJobFactory(created_by=alice, failed=True)


@pytest.fixture
def alices_running_job(alice):
    return BackgroundJobFactory(created_by=alice, running=True)


@pytest.mark.parametrize("method,name", [("get", "api-detail"), ("post", "api-cancel"), ("post", "api-retry")])
def test_other_user_gets_404(bob_client, alices_failed_job, method, name):
    response = getattr(bob_client, method)(reverse(f"jobs:{name}", args=[alices_failed_job.id]))

    assert response.status_code == 404
    alices_failed_job.refresh_from_db()
    assert alices_failed_job.status == Status.FAILED
    assert not BackgroundJob.objects.filter(retry_of=alices_failed_job).exists()


def test_other_user_cannot_cancel_a_running_job(bob_client, alices_running_job):
    response = bob_client.post(reverse("jobs:api-cancel", args=[alices_running_job.id]))

    assert response.status_code == 404
    alices_running_job.refresh_from_db()
    assert not alices_running_job.cancel_requested


def test_other_users_jobs_are_not_listed(bob_client, alices_running_job, alices_failed_job):
    assert bob_client.get(reverse("jobs:api-active")).json()["jobs"] == []
    assert bob_client.get(reverse("jobs:api-history")).json()["jobs"] == []


def test_missing_job_gets_404(alice_client):
    assert alice_client.get(reverse("jobs:api-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "method,name,with_id",
    [
        ("get", "api-active", False),
        ("get", "api-history", False),
        ("get", "api-detail", True),
        ("post", "api-cancel", True),
        ("post", "api-retry", True),
    ],
)
def test_anonymous_is_refused(alices_failed_job, method, name, with_id):
    url = reverse(f"jobs:{name}", args=[alices_failed_job.id] if with_id else [])

    response = getattr(APIClient(), method)(url)

    assert response.status_code in (401, 403)
    assert "job" not in response.json() and "jobs" not in response.json()


def test_session_post_without_csrf_token_is_refused(alice, alices_running_job):
    # given a browser session (not the force-authenticated test client)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    # when it posts without the CSRF token
    response = client.post(reverse("jobs:api-cancel", args=[alices_running_job.id]))

    # then nothing happens
    assert response.status_code == 403
    alices_running_job.refresh_from_db()
    assert not alices_running_job.cancel_requested


def test_session_post_with_csrf_token_is_accepted(alice, alices_running_job):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("admin:login"))  # any page that sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(reverse("jobs:api-cancel", args=[alices_running_job.id]), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200
    alices_running_job.refresh_from_db()
    assert alices_running_job.cancel_requested


def test_token_auth_works_for_scripts_without_csrf(alice, alices_running_job):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")

    assert client.get(reverse("jobs:api-active")).json()["jobs"][0]["id"] == alices_running_job.id
    assert client.post(reverse("jobs:api-cancel", args=[alices_running_job.id])).status_code == 200
