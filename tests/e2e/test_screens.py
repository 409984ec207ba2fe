"""The CRM's screens as users meet them (issue 15): phones and desktops, English,
Persian and Arabic, lists that move, the forms' helpers, and the wave-2 additions.

One browser for the module; logins are session cookies made on the server, not
typed into the login form for every page. Screenshots of every page in every
language at both sizes go to test-artifacts/e2e/screens-*.png."""

import json
import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from crm.tasks import count_items
from jobs.models import BackgroundJob
from jobs.tracking import start_job
from notifications.models import Contact, Tag
from reports.models import Report
from reports.services import request_report
from tests.e2e.conftest import RequestLog, e2e, screenshot
from tests.workers import wait_for

pytestmark = [*e2e, pytest.mark.django_db(transaction=True)]
Status = BackgroundJob.Status
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ACTIVE_API = "/jobs/api/active/"


@pytest.fixture
def open_as(browser, live_server):
    """open_as(user, language, viewport) -> a page logged in as `user`, in `language`."""
    contexts = []

    def open_page(user, language="en", viewport=DESKTOP):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, has_touch=viewport is PHONE, is_mobile=viewport is PHONE
        )
        context.set_default_timeout(20_000)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies(
            [
                {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                 "domain": host, "path": "/"},
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
            ]
        )  # fmt: skip
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def add_job(user, title="Nightly SMS", status=Status.RUNNING, **fields):
    now = timezone.now()
    values = {
        "job_type": BackgroundJob.JobType.SMS, "progress": 65, "total_items": 150, "processed_items": 97,
        "success_count": 95, "failed_count": 2, "task_name": "demo.count_items", "task_id": f"screen-{title}",
        "started_at": now - timezone.timedelta(minutes=3),
        "completed_at": now if status in BackgroundJob.FINISHED else None,
    }  # fmt: skip
    values.update(fields)
    return BackgroundJob.objects.create(created_by=user, title=title, status=status, **values)


def ready_report(user):
    """A finished messaging report for two dates, requested in English."""
    report = request_report(user, "messaging", "csv", {"from": "2026-11-01", "to": "2026-11-20"})
    BackgroundJob.objects.filter(pk=report.job_id).update(
        status=Status.COMPLETED, progress=100, started_at=timezone.now(), completed_at=timezone.now()
    )
    report.file.save("m.csv", ContentFile(b"x" * 2048), save=False)
    Report.objects.filter(pk=report.pk).update(file=report.file.name, size=2048, row_count=12)
    return report


def no_horizontal_scroll(page):
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"page scrolls sideways on {page.url}: {width}"


def jobs_menu_fits(page, viewport):
    box = page.locator("#headerJobsMenu").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, box
    return box


def test_every_page_fits_phones_and_desktops_in_three_languages(open_as, alice):
    # given: an active job (the jobs button shows), a finished one with failures, a report
    running = add_job(alice, "SMS to 300 numbers")
    add_job(alice, "SMS to 150 numbers", status=Status.COMPLETED, progress=100, processed_items=150)
    ready_report(alice)
    pages = {"dashboard": "/", "jobs": "/jobs/", "job": f"/jobs/{running.pk}/", "reports": "/reports/"}

    for language in ("en", "fa", "ar"):
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = open_as(alice, language, viewport)
            for name, url in pages.items():
                page.goto(url)
                expect(page.locator("html")).to_have_attribute("lang", language)
                # the jobs button stays in the top bar, also when the menu is collapsed
                expect(page.locator("#page-header-jobs-dropdown")).to_be_visible()
                no_horizontal_scroll(page)
                screenshot(page, f"screens-{name}-{language}-{size}")
            if viewport is PHONE:
                page.set_viewport_size({"width": 360, "height": 780})  # the narrowest phones still common
                for url in pages.values():
                    page.goto(url)
                    no_horizontal_scroll(page)
                page.set_viewport_size(PHONE)
            if language == "ar":
                continue
            # the jobs menu opens inside the viewport: by touch on the phone, by keyboard on the desktop
            page.goto("/jobs/")
            button = page.locator("#page-header-jobs-dropdown")
            if viewport is PHONE:
                button.tap()
                expect(page.locator("#navbarToggler, .navbar-toggler")).to_be_visible()  # menu collapsed
            else:
                button.focus()
                page.keyboard.press("Enter")
            expect(page.locator("#headerJobsMenu")).to_be_visible()
            expect(page.locator("#headerJobsActive .job-item")).to_have_count(1)
            box = jobs_menu_fits(page, viewport)
            if viewport is PHONE:
                assert box["width"] >= viewport["width"] - 1  # full width below the md breakpoint
            no_horizontal_scroll(page)
            screenshot(page, f"screens-jobs-menu-{language}-{size}")
            page.keyboard.press("Escape")
            expect(page.locator("#headerJobsMenu")).to_be_hidden()


def test_persian_reports_page_has_jalali_dates_and_persian_words_only(open_as, alice):
    # given: a report and its job, both requested in English
    report = ready_report(alice)

    page = open_as(alice, "fa", PHONE)
    page.goto("/reports/")

    text = page.locator("main").inner_text()
    dates = re.findall(r"\d{4}[-/]\d\d[-/]\d\d", text)
    assert dates and all(d.startswith("14") for d in dates), dates
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"CSV", "XLSX"}
    assert words == set(), f"untranslated: {words}"
    expect(page.locator(f"#report-{report.pk}")).to_contain_text("کیلوبایت")

    # the job started in English reads Persian in Persian
    page.goto("/jobs/")
    title = page.locator(f'tr[data-job-id="{report.job_id}"] .job-title')
    expect(title).to_have_text("گزارش پیام‌رسانی از 1405/08/10 تا 1405/08/29 (CSV)")
    expect(title).to_have_attribute("dir", "auto")


def test_jobs_list_moves_without_reload_and_stops_polling(open_as, alice, worker):
    # given: a job counting 12 items, 0.5 s each
    job = start_job(count_items, user=alice, job_type=BackgroundJob.JobType.REPORT, title="Count", kwargs={"items": 12, "delay": 0.5})  # fmt: skip
    wait_for(lambda: BackgroundJob.objects.get(pk=job.pk).status == Status.RUNNING, timeout=30, message="running")

    page = open_as(alice, "en", DESKTOP)
    active_requests = RequestLog(page, ACTIVE_API)
    page.goto("/jobs/")
    page.evaluate("window.__sameDocument = true")
    row = page.locator(f'tr[data-job-id="{job.pk}"]')
    bar = row.locator("[role=progressbar]")

    # then: the bar advances in place, coloured by status
    seen = {int(bar.get_attribute("aria-valuenow"))}
    wait_for(lambda: seen.add(int(bar.get_attribute("aria-valuenow"))) or len(seen) >= 2, timeout=30, message="moved")
    expect(row.locator(".job-status")).to_have_text("Completed", timeout=30_000)
    expect(row.locator(".progress-bar")).to_have_class(re.compile(r"\bbg-success\b"))
    expect(row.locator(".job-progress-text")).to_have_text("100% - 12/12")
    expect(row.locator("button.job-cancel")).to_be_hidden()
    assert page.evaluate("window.__sameDocument") is True  # no reload
    screenshot(page, "screens-jobs-live-finished")

    # and polling stops once nothing is active
    page.wait_for_timeout(1_000)
    before = active_requests.count()
    page.wait_for_timeout(12_000)
    assert active_requests.count() == before, "the jobs list kept polling with no active job"


def test_tag_picker_counts_and_sms_counter(open_as, alice):
    # given: two reachable vip contacts and one opted out
    vip = Tag.objects.create(name="vip")
    for i, opted_out in enumerate((False, False, True)):
        contact = Contact.objects.create(phone=f"+98912000000{i}", opted_out=opted_out)
        contact.tags.add(vip)

    page = open_as(alice, "en", PHONE)
    page.goto("/")
    page.wait_for_selector("#smsTag[data-loaded]", state="attached")

    # (the tag is isolated with FSI/PDI: a Latin tag inside a right-to-left text)
    expect(page.locator("#smsTag option", has_text="vip")).to_have_text("\u2068vip\u2069 (2 contacts)")
    page.select_option("#smsTag", "vip")
    expect(page.locator("#smsTagAudience")).to_have_text("Audience: 2 contacts")
    page.fill("#smsMessage", "x" * 161)
    expect(page.locator("#smsMessageCount")).to_have_text("161 characters, 2 SMS")
    page.fill("#smsMessage", "سلام")
    expect(page.locator("#smsMessageCount")).to_have_text("4 characters, 1 SMS")
    screenshot(page, "screens-dashboard-tag-picker-en-phone")

    page.click("#bulkSmsForm button[type=submit]")

    expect(page.locator("#bulkSmsForm .alert-success")).to_be_visible()
    expect(page.locator("#smsMessageCount")).to_have_text("0 characters, 0 SMS")
    expect(page.locator("#smsTagAudience")).to_have_text("")


def test_wave_two_additions_show_when_the_api_has_them(open_as, alice):
    # given: a running job, and an API answering with the wave-2 keys
    running = add_job(alice, "SMS to 900 numbers")
    add_job(alice, "SMS to 150 numbers", status=Status.COMPLETED, progress=100, processed_items=150, task_id="done")
    page = open_as(alice, "en", DESKTOP)
    page.goto("/jobs/")
    item = page.evaluate(f"fetch('/jobs/api/{running.pk}/').then(r => r.json())")["job"]
    item.update(queuePosition=None, ratePerSecond=12.5, etaSeconds=180, failureSummary="2 numbers refused",
                scheduledFor=None, detailUrl="/notifications/campaigns/7/")  # fmt: skip

    def answer(route):
        route.fulfill(
            status=200, content_type="application/json", headers={"ETag": '"wave2"'},
            body=json.dumps({"success": True, "jobs": [item]}),
        )  # fmt: skip

    page.route(f"**{ACTIVE_API}", answer)

    # then: the finished one with failures is a warning, the running one gets its extras
    done = page.locator("tr", has_text="SMS to 150 numbers").locator(".job-status")
    expect(done).to_have_text("Completed with failures")
    expect(done).to_have_class(re.compile(r"\bbg-warning\b"))
    extras = page.locator(f'tr[data-job-id="{running.pk}"] .job-extras')
    expect(extras).to_contain_text("about 3 min left", timeout=20_000)
    expect(extras).to_contain_text("12.5 per second")
    expect(extras).to_contain_text("2 numbers refused")
    expect(extras.locator("a[data-extra=details]")).to_have_attribute("href", "/notifications/campaigns/7/")
    page.click("#page-header-jobs-dropdown")
    expect(page.locator("#headerJobsActive .job-extras")).to_contain_text("about 3 min left")
    screenshot(page, "screens-wave2-extras-en-desktop")

    # and a pending job's place in line
    item.update(status=Status.PENDING, statusText="Pending", queuePosition=4, etaSeconds=None, ratePerSecond=None)
    page.evaluate("window.crmJobs.refresh()")
    expect(extras).to_contain_text("4th in line")
