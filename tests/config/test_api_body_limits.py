"""Oversized, malformed and unsupported bodies answer JSON 4xx in the one shape;
the largest documented audience still fits under the body limit."""

import json

import pytest
from django.conf import settings

from jobs.models import BackgroundJob
from notifications.models import Campaign

from .api_helpers import assert_error_shape, session_client, token_client

pytestmark = pytest.mark.django_db
SMS_URL = "/notifications/api/sms/bulk/"
EMAIL_URL = "/notifications/api/email/bulk/"
TWENTY_MB = 20 * 1024 * 1024


@pytest.mark.parametrize("make_client", [session_client, token_client], ids=["session", "token"])
@pytest.mark.parametrize("url", [SMS_URL, "/reports/api/"])
def test_a_20_mb_body_is_a_413(alice, make_client, url):
    body = json.dumps({"recipients": ["09121234567"] * (TWENTY_MB // 15), "message": "hi"})
    assert len(body) > TWENTY_MB

    response = make_client(alice).post(url, data=body, content_type="application/json")

    assert_error_shape(response, 413)
    assert BackgroundJob.objects.count() == 0


def test_a_20_mb_form_body_is_refused_as_unsupported_without_being_read(alice):
    response = session_client(alice).post(
        SMS_URL, data="message=" + "a" * TWENTY_MB, content_type="application/x-www-form-urlencoded"
    )

    assert_error_shape(response, 415)


def test_the_largest_audience_of_email_addresses_fits(alice, settings):
    settings.BULK_MAX_AUDIENCE = 100_000  # the documented default
    # long but ordinary addresses: 40 characters each
    recipients = [f"customer.{i:06d}@mail.example-company.com" for i in range(100_000)]
    body = json.dumps({"recipients": recipients, "subject": "News", "message": "Hello " * 500})
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE < TWENTY_MB

    response = token_client(alice).post(EMAIL_URL, data=body, content_type="application/json")

    assert response.status_code == 202, response.content[:300]
    assert Campaign.objects.get().job.total_items == 100_000


def test_the_limit_follows_the_maximum_audience():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= settings.BULK_MAX_AUDIENCE * 100


def test_malformed_json_is_a_400(alice):
    response = token_client(alice).post("/reports/api/", data='{"kind": ', content_type="application/json")

    body = assert_error_shape(response, 400)
    assert body["errors"] == {"non_field_errors": ["The body is not valid JSON."]}


@pytest.mark.parametrize("url", [SMS_URL, "/reports/api/"])
def test_an_unsupported_media_type_is_a_415(alice, url):
    response = token_client(alice).post(url, data="<xml/>", content_type="application/xml")

    assert_error_shape(response, 415)
    assert BackgroundJob.objects.count() == 0
