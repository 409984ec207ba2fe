"""Every API 4xx, whatever raises it, answers {"success": false, "message", "errors"}."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.jobs.factories import BackgroundJobFactory
from tests.reports.test_download import make_report

from .api_helpers import assert_error_shape, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_job(alice):
    return BackgroundJobFactory(created_by=alice, completed=True)


def test_400_field_errors(alice):
    body = assert_error_shape(token_client(alice).get("/jobs/api/history/?take=0"), 400)

    assert body["message"] == "Invalid parameters."
    assert list(body["errors"]) == ["take"]


def test_400_from_a_view_keeps_its_message(alice, alices_job):
    body = assert_error_shape(token_client(alice).post(f"/jobs/api/{alices_job.pk}/cancel/"), 400)

    assert body["message"] == "This job has already finished."
    assert body["errors"] == {"status": ["This job has already finished."]}


def test_400_from_a_serializer(alice):
    body = assert_error_shape(token_client(alice).post("/reports/api/", {"kind": "nope"}, format="json"), 400)

    assert body["message"] == "The request is invalid."
    assert "kind" in body["errors"]


def test_401_without_credentials_names_the_scheme():
    response = APIClient().get("/jobs/api/active/")

    assert_error_shape(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_401_with_a_wrong_token():
    response = APIClient().get("/jobs/api/active/", HTTP_AUTHORIZATION="Token not-a-token")

    assert_error_shape(response, 401)


def test_403_session_post_without_csrf_token(alice, alices_job):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    body = assert_error_shape(client.post(f"/jobs/api/{alices_job.pk}/retry/"), 403)

    assert "CSRF" in body["message"]


def test_404_another_users_job(bob, alices_job):
    body = assert_error_shape(token_client(bob).get(f"/jobs/api/{alices_job.pk}/"), 404)

    assert "BackgroundJob" not in body["message"]


@pytest.mark.parametrize("url", ["/jobs/api/nope/", "/notifications/api/sms/bulk/extra/", "/reports/api/1/"])
def test_404_for_api_urls_no_view_matches(alice, url):
    assert_error_shape(token_client(alice).get(url), 404)


def test_404_outside_the_api_stays_an_html_page(alice):
    client = Client()
    client.force_login(alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_405_wrong_method(alice, alices_job):
    response = token_client(alice).get(f"/jobs/api/{alices_job.pk}/cancel/")

    assert_error_shape(response, 405)
    assert response["Allow"] == "POST, OPTIONS"


def test_410_expired_report(alice):
    report = make_report(alice, expires_in=-1)

    body = assert_error_shape(token_client(alice).get(f"/reports/{report.pk}/download/"), 410)

    assert body["message"] == "This report has expired."


def test_404_for_a_malformed_id_with_a_token(alice):
    assert_error_shape(token_client(alice).get("/reports/null/download/"), 404)
