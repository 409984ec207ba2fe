"""The request size limit lets the largest audience through; anything larger is refused as JSON."""

import json

import pytest
from django.conf import settings

from jobs.models import BackgroundJob

pytestmark = pytest.mark.django_db(transaction=True)
EMAIL_URL = "/notifications/api/email/bulk/"


def test_the_maximum_audience_of_email_addresses_is_accepted(alice_client, purge_queues):
    # given BULK_MAX_AUDIENCE addresses: over Django's 2.5 MB default
    addresses = [f"recipient.number{i:06d}@example-mail.com" for i in range(settings.BULK_MAX_AUDIENCE)]
    body = json.dumps({"recipients": addresses, "subject": "News", "message": "Hello"})
    assert len(body) > 2.5 * 1024 * 1024

    # when
    response = alice_client.generic("POST", EMAIL_URL, body, content_type="application/json")

    # then
    assert response.status_code == 202, response.content[:300]
    assert response.json()["recipients"] == settings.BULK_MAX_AUDIENCE


def test_a_larger_body_is_refused_as_json(alice_client, purge_queues):
    body = json.dumps(
        {"recipients": ["a@example.com"], "subject": "x", "message": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    )

    response = alice_client.generic("POST", EMAIL_URL, body, content_type="application/json")

    assert response.status_code in (400, 413)
    assert response.json()["success"] is False
    assert BackgroundJob.objects.count() == 0
