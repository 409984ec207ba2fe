"""Starting jobs is throttled per user (JOBS_START_RATE): 429 in the one shape, with Retry-After."""

import pytest
from django.core.cache import cache
from django.test import Client

from jobs.models import BackgroundJob
from tests.jobs.factories import BackgroundJobFactory

from .api_helpers import assert_error_shape, token_client

pytestmark = pytest.mark.django_db
SMS = ("/notifications/api/sms/bulk/", {"recipients": ["09121234567"], "message": "hi"})
REPORT = ("/reports/api/", {"kind": "contacts"})


@pytest.fixture(autouse=True)
def three_starts_a_minute(settings):
    settings.JOBS_START_RATE = "3/minute"
    cache.clear()
    yield
    cache.clear()


def test_the_start_over_the_rate_is_a_429_with_retry_after(alice):
    client = token_client(alice)
    failed = BackgroundJobFactory(created_by=alice, failed=True)

    answers = [
        client.post(SMS[0], SMS[1], format="json"),
        client.post(REPORT[0], REPORT[1], format="json"),
        client.post(f"/jobs/api/{failed.pk}/retry/"),
    ]
    refused = [client.post(url, data, format="json") for url, data in (SMS, REPORT)]
    refused.append(client.post(f"/jobs/api/{failed.pk}/retry/"))

    assert [a.status_code for a in answers] == [202, 201, 201]
    for response in refused:
        assert_error_shape(response, 429)
        assert 0 < int(response["Retry-After"]) <= 60
    assert BackgroundJob.objects.count() == 1 + 3  # the failed job and three started; nothing for the refused


def test_another_user_is_not_affected(alice, bob):
    alices = token_client(alice)
    for _ in range(3):
        assert alices.post(*SMS, format="json").status_code == 202
    assert alices.post(*SMS, format="json").status_code == 429

    assert token_client(bob).post(*SMS, format="json").status_code == 202


def test_reading_jobs_is_not_throttled(alice):
    client = token_client(alice)

    assert all(client.get("/jobs/api/active/").status_code == 200 for _ in range(10))


def test_an_empty_rate_means_no_limit(alice, settings):
    settings.JOBS_START_RATE = ""
    client = token_client(alice)

    assert {client.post(*SMS, format="json").status_code for _ in range(10)} == {202}


@pytest.fixture
def alices_browser(alice):
    client = Client()
    client.force_login(alice)
    return client


def test_the_form_pages_share_the_limit(alice, alices_browser):
    client = token_client(alice)
    for _ in range(3):
        assert client.post(*SMS, format="json").status_code == 202

    for url, data in [
        ("/notifications/sms/new/", {"recipients": "09121234567", "message": "Hi"}),
        ("/reports/", {"kind": "contacts", "format": "csv"}),
        (f"/jobs/{BackgroundJobFactory(created_by=alice, failed=True).pk}/retry/", {}),
    ]:
        response = alices_browser.post(url, data, HTTP_ACCEPT_LANGUAGE="fa")

        assert response.status_code == 429, url
        assert int(response["Retry-After"]) > 0
        assert "ثانیه دیگر دوباره تلاش کنید" in response.content.decode()
    assert BackgroundJob.objects.count() == 3 + 1
