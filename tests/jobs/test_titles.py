"""A job's title reads in the viewer's language, whatever language it was started in."""

import pytest
from django.urls import reverse
from django.utils import translation

from notifications.audience import Audience
from notifications.campaigns import start_campaign
from reports.services import request_report

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db


def title_in(client, job_id, language):
    response = client.get(reverse("jobs:api-detail", args=[job_id]), HTTP_ACCEPT_LANGUAGE=language)
    return response.json()["job"]["title"]


def test_a_tag_send_started_in_english_reads_persian_in_persian(alice, alice_client):
    # given a send started by an English-speaking user
    audience = Audience(channel="sms", recipients=[], tag="lead", count=None)
    with translation.override("en"):
        campaign = start_campaign(alice, audience, body="Hello")

    # then the row keeps the English text, readers get their own language
    assert campaign.job.title == "Send SMS to contacts tagged “lead”"
    assert title_in(alice_client, campaign.job_id, "fa") == "ارسال پیامک به مخاطبان با برچسب «lead»"
    assert title_in(alice_client, campaign.job_id, "en") == "Send SMS to contacts tagged “lead”"


def test_a_report_title_translates_its_kind(alice, alice_client):
    with translation.override("en"):
        report = request_report(alice, "contacts", "csv", {})

    assert report.job.title == "Contacts export (CSV)"
    assert title_in(alice_client, report.job_id, "fa").startswith("خروجی مخاطبان")
    assert title_in(alice_client, report.job_id, "ar").startswith("تصدير جهات الاتصال")


def test_a_job_without_a_stored_form_keeps_its_text(alice, alice_client):
    job = BackgroundJobFactory(created_by=alice, title="Nightly import")

    assert title_in(alice_client, job.pk, "fa") == "Nightly import"


def test_report_dates_read_in_the_readers_calendar(alice, alice_client):
    with translation.override("en"):  # started by an English-speaking user
        report = request_report(alice, "messaging", "csv", {"from": "2026-11-01", "to": "2026-11-20"})

    assert report.job.title == "Messaging report 2026-11-01 to 2026-11-20 (CSV)"
    assert title_in(alice_client, report.job_id, "en") == "Messaging report 2026/11/01 to 2026/11/20 (CSV)"
    assert title_in(alice_client, report.job_id, "fa") == "گزارش پیام‌رسانی از 1405/08/10 تا 1405/08/29 (CSV)"
