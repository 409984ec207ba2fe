"""Persian and Arabic: right-to-left layout, the seed's Persian texts, Jalali dates."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import BackgroundJob
from tests.e2e.conftest import e2e, login, screenshot

pytestmark = [*e2e, pytest.mark.django_db(transaction=True)]
Status = BackgroundJob.Status


def add_job(user, title, status, job_type=BackgroundJob.JobType.SMS, progress=100, processed=150):
    now = timezone.now()
    return BackgroundJob.objects.create(
        created_by=user, title=title, status=status, job_type=job_type, progress=progress,
        total_items=150, processed_items=processed, success_count=processed, task_name="demo.count_items",
        task_id=f"lang-{title}", started_at=now - timezone.timedelta(minutes=5),
        completed_at=now if status in BackgroundJob.FINISHED else None,
    )  # fmt: skip


def switch_language(page, code):
    page.click("#languageMenuButton")
    page.click(f'button[name="language"][value="{code}"]')
    page.wait_for_load_state()


def test_persian_is_rtl_with_seed_texts_and_jalali_dates(page, alice):
    # given: a finished and a running job
    add_job(alice, "SMS to 150 numbers", Status.COMPLETED)
    add_job(alice, "SMS to 300 numbers", Status.RUNNING, progress=65, processed=97)
    login(page, "alice", "alice-password")
    screenshot(page, "10-dashboard-en")

    # when
    switch_language(page, "fa")

    # then: right-to-left, Bootstrap's RTL build
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")
    assert page.locator('link[href*="bootstrap.rtl.min.css"]').count() == 1
    # the widget in Persian: status text of the seed, readable without colour
    page.click("#page-header-jobs-dropdown")
    expect(page.locator("#headerJobsActive .job-item .job-status")).to_have_text("در حال اجرا")
    expect(page.locator("#headerJobsActive .job-progress-text")).to_have_text("65% - 97/150")
    expect(page.locator("#headerJobsRecent .job-history-item .job-status")).to_have_text("تکمیل شده")
    screenshot(page, "11-widget-fa-rtl")
    # the jobs page: Persian type/status texts and Jalali (solar hijri) dates
    page.goto("/jobs/")
    row = page.locator("tr", has_text="SMS to 150 numbers")
    expect(row.locator(".job-status")).to_have_text("تکمیل شده")
    expect(row).to_contain_text("ارسال انبوه پیامک")
    start = row.locator(".job-start-date").inner_text().strip()
    assert re.fullmatch(r"14\d\d/\d\d/\d\d \d\d:\d\d", start), start
    screenshot(page, "12-jobs-page-fa")


def test_arabic_is_rtl_and_english_is_back_to_ltr(page, alice):
    add_job(alice, "SMS to 150 numbers", Status.FAILED)
    login(page, "alice", "alice-password")

    switch_language(page, "ar")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/jobs/")
    expect(page.locator("tr", has_text="SMS to 150 numbers").locator(".job-status")).to_have_text("فشل")
    screenshot(page, "13-jobs-page-ar")

    switch_language(page, "en")

    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("tr", has_text="SMS to 150 numbers").locator(".job-status")).to_have_text("Failed")
