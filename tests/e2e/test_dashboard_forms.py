"""Dashboard forms post JSON to the APIs; a 400's field errors show under their fields."""

import pytest
from playwright.sync_api import expect

from jobs.models import BackgroundJob
from tests.e2e.conftest import RequestLog, e2e, login, screenshot

pytestmark = [*e2e, pytest.mark.django_db(transaction=True)]


def test_bad_bulk_sms_shows_field_errors_and_starts_nothing(page, alice):
    login(page, "alice", "alice-password")
    active_requests = RequestLog(page, "/jobs/api/active/")

    # when: no message
    page.fill("#smsRecipients", "not-a-number")
    page.click("#bulkSmsForm button[type=submit]")

    # then
    expect(page.locator("#smsMessageErrors")).not_to_be_empty()
    expect(page.locator("#smsMessage")).to_have_class("form-control is-invalid")
    expect(page.locator("#bulkSmsForm .alert-danger")).to_be_visible()

    # when: a message but an invalid number
    page.fill("#smsMessage", "Hello")
    page.click("#bulkSmsForm button[type=submit]")

    # then: the number's error, the message's one gone
    expect(page.locator("#smsRecipientsErrors")).to_contain_text("not-a-number")
    expect(page.locator("#smsRecipients")).to_have_class("form-control is-invalid")
    expect(page.locator("#smsMessageErrors")).to_be_empty()
    screenshot(page, "07-dashboard-field-errors")
    assert not BackgroundJob.objects.exists()
    assert active_requests.count() == 0  # nothing started, nothing to poll


def test_bad_report_dates_show_field_errors(page, alice):
    login(page, "alice", "alice-password")

    page.select_option("#reportKind", "messaging")
    page.fill("#reportFrom", "2026-02-10")
    page.fill("#reportTo", "2026-02-01")
    page.click("#reportForm button[type=submit]")

    expect(page.locator("#reportFromErrors")).to_contain_text("start date")
    assert not BackgroundJob.objects.exists()
