"""The campaign page (from the job page: counts, filter, CSV, retry) and a scheduled send
picked in Persian (the chosen time shown in the Jalali calendar)."""

from datetime import timedelta

import jdatetime
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import BackgroundJob
from notifications.models import Campaign, Delivery
from tests.e2e.conftest import e2e, login, screenshot
from tests.e2e.test_languages import switch_language
from tests.jobs.factories import BackgroundJobFactory

pytestmark = [*e2e, pytest.mark.django_db(transaction=True)]
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_campaign_page_from_the_job_page(page, alice):
    # given a finished campaign with two failures, one of them an unknown outcome
    job = BackgroundJobFactory(created_by=alice, completed=True, success_count=8, failed_count=2)
    campaign = Campaign.objects.create(channel="sms", body="Sale!", owner=alice, job=job)
    BackgroundJob.objects.filter(pk=job.pk).update(metadata={"detail_url": f"/notifications/campaigns/{campaign.pk}/"})
    Delivery.objects.bulk_create(
        [Delivery(campaign=campaign, recipient=f"+98912000000{i}", status="sent", attempts=1) for i in range(8)]
        + [
            Delivery(campaign=campaign, recipient="+989121111111", status="failed", reason="rejected", error="bad"),
            Delivery(campaign=campaign, recipient="+989122222222", status="failed", reason="unknown", error="?"),
        ]
    )
    login(page, "alice", "alice-password")

    # when the owner follows the job page's link
    page.goto(f"/jobs/{job.pk}/")
    page.click("#jobExtras a[data-extra=details]")

    # then the counts, the warning about unknown outcomes and the CSV link
    expect(page.locator("#countSent")).to_have_text("8")
    expect(page.locator("#countFailed")).to_have_text("2")
    expect(page.locator("#unknownWarning")).to_be_visible()
    with page.expect_download() as download:
        page.click("#campaignCsv")
    assert download.value.suggested_filename == f"campaign-{campaign.pk}-deliveries.csv"

    # the filter shows only the failed
    page.select_option("#statusFilter", "failed")
    page.wait_for_url("**status=failed**")
    expect(page.locator("#deliveryTable tbody tr")).to_have_count(2)
    screenshot(page, "30-campaign-page")

    # retrying sends only the rejected one (the unknown one is left out)
    page.click("#retryFailed")
    expect(page.locator(".alert-success")).to_be_visible()
    retry = Campaign.objects.get(retry_of=campaign)
    assert retry.recipients == ["+989121111111"]
    assert page.url.endswith(f"/notifications/campaigns/{retry.pk}/")


def pick_in_persian(page, fields, picker, display, days, hour):
    """Fill a send form in Persian and pick a time; the picker shows it in the Jalali calendar."""
    when = timezone.localtime(timezone.now() + timedelta(days=days))
    when = when.replace(hour=hour, minute=30, second=0, microsecond=0)
    for selector, value in fields.items():
        page.fill(selector, value)
    page.fill(picker, when.strftime("%Y-%m-%dT%H:%M"))
    jalali = jdatetime.date.fromgregorian(date=when.date())
    expect(page.locator(display)).to_contain_text(str(jalali.year).translate(PERSIAN_DIGITS))
    expect(page.locator(display)).to_contain_text(str(jalali.day).translate(PERSIAN_DIGITS))
    return when


def test_scheduled_send_in_persian_shows_the_jalali_time(page, alice):
    login(page, "alice", "alice-password")
    switch_language(page, "fa")
    page.goto("/notifications/sms/new/")

    # when a time is picked, it reads in the Jalali calendar
    fields = {"#id_recipients": "09121234567", "#id_message": "سلام {name}"}
    when = pick_in_persian(page, fields, "#id_send_at", "#sendAtDisplay", days=2, hour=9)
    screenshot(page, "31-scheduled-send-fa")

    # and the job waits for it, showing when it starts in Jalali
    page.click("form.bulk-send-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    job = BackgroundJob.objects.get()
    assert (job.status, job.scheduled_for) == (BackgroundJob.Status.PENDING, when)
    item = page.request.get(f"/jobs/api/{job.pk}/", headers={"Accept-Language": "fa"}).json()["job"]
    assert item["scheduledFor"] == jdatetime.datetime.fromgregorian(datetime=when).strftime("%Y/%m/%d %H:%M")


def test_dashboard_schedules_a_send_with_the_crm_time_zone_offset(page, alice):
    login(page, "alice", "alice-password")
    switch_language(page, "fa")
    fields = {"#smsRecipients": "09121234567", "#smsMessage": "سلام"}
    when = pick_in_persian(page, fields, "#smsSendAt", "#smsSendAtDisplay", days=3, hour=21)
    page.click("#bulkSmsForm button[type=submit]")

    expect(page.locator("#bulkSmsForm .alert-success")).to_be_visible()
    job = BackgroundJob.objects.get()
    assert (job.status, job.scheduled_for) == (BackgroundJob.Status.PENDING, when)
