"""The CRM's form pages for a bulk send."""

import pytest

from jobs.models import BackgroundJob

pytestmark = pytest.mark.django_db


def test_sms_form_starts_a_job(client, alice):
    client.force_login(alice)

    response = client.post("/notifications/sms/new/", {"recipients": "09121234567\n09120000001", "message": "Hi"})

    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    assert (job.created_by, job.total_items, job.title) == (alice, 2, "Send SMS to 2 numbers")


def test_sms_form_shows_errors_and_starts_nothing(client, alice):
    client.force_login(alice)

    response = client.post("/notifications/sms/new/", {"recipients": "nope", "message": "Hi"})

    assert response.status_code == 200
    assert "is not a valid phone number" in response.content.decode()
    assert not BackgroundJob.objects.exists()


def test_email_form_renders_for_a_logged_in_user(client, alice):
    client.force_login(alice)
    response = client.get("/notifications/email/new/")
    html = response.content.decode()
    assert response.status_code == 200 and 'name="subject"' in html and 'name="idempotency_key"' in html


def test_anonymous_user_is_sent_to_login(client):
    assert client.get("/notifications/sms/new/").status_code == 302


def test_double_submitted_form_starts_one_job(client, alice):
    client.force_login(alice)
    data = {"recipients": "09121234567", "message": "Hi", "idempotency_key": "form-1"}

    client.post("/notifications/sms/new/", data)
    client.post("/notifications/sms/new/", data)

    assert BackgroundJob.objects.count() == 1
