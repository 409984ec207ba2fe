"""The header jobs widget following a real bulk SMS, end to end: browser -> JSON
API -> broker -> real worker -> real HTTP gateway (slow) -> job row -> widget."""

import time

import pytest
from playwright.sync_api import expect

from jobs.models import BackgroundJob
from notifications.models import Contact, Tag
from tests.e2e.conftest import RequestLog, e2e, login, screenshot
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.workers import WorkerProcess, wait_for

pytestmark = [*e2e, pytest.mark.django_db(transaction=True)]
Status = BackgroundJob.Status
AUDIENCE = 300
ACTIVE_API = "/jobs/api/active/"


@pytest.fixture(scope="module")
def gateway():
    # 4 sends in flight (2 chunk tasks x 2 threads) at 0.25 s each: ~20 s for 300.
    with FakeSmsGateway(latency=0.25, seed=1) as server:
        yield server


@pytest.fixture(scope="module")
def sms_worker(django_db_setup, django_db_blocker, broker_url, gateway):
    env = {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_API_KEY": gateway.api_key,
        "BULK_CHUNK_SIZE": "50",
        "BULK_SEND_CONCURRENCY": "2",
        "JOBS_PROGRESS_INTERVAL": "0.3",
    }
    with django_db_blocker.unblock():
        proc = WorkerProcess(concurrency=2, env=env).start()
    yield proc
    proc.stop()


@pytest.fixture
def customers(db):
    tag = Tag.objects.create(name="customers")
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Customer {i}", phone=f"+98912{i:07d}") for i in range(AUDIENCE)
    )
    Contact.tags.through.objects.bulk_create(Contact.tags.through(contact_id=c.pk, tag_id=tag.pk) for c in contacts)
    return tag


def start_bulk_sms(page, tag):
    page.goto("/")
    page.wait_for_selector("#smsTag[data-loaded]", state="attached")
    page.select_option("#smsTag", tag.name)
    page.fill("#smsMessage", "Our shop opens at 9 tomorrow.")
    page.click("#bulkSmsForm button[type=submit]")
    expect(page.locator("#bulkSmsForm .alert-success")).to_be_visible()
    return BackgroundJob.objects.latest("id")


def progress_values(page, job_id, until):
    """aria-valuenow of the job's progress bar in the open dropdown, sampled until `until()`."""
    values = []
    bar = f'#headerJobsActive .job-item[data-job-id="{job_id}"] [role=progressbar]'
    deadline = time.monotonic() + 90
    while not until() and time.monotonic() < deadline:
        # Read in one step: the bar leaves the list when the job finishes (a count() then a
        # get_attribute() could wait for an element that is gone).
        now = page.eval_on_selector_all(bar, "bars => bars.map(b => b.getAttribute('aria-valuenow'))")
        if now:
            value = int(now[0] or 0)
            if not values or value != values[-1]:
                values.append(value)
                if 0 < value < 100 and len(values) == 3:
                    screenshot(page, "02b-widget-progress")
        page.wait_for_timeout(250)
    return values


def test_widget_follows_a_bulk_sms_and_stops_polling(page, alice, customers, sms_worker, gateway):
    login(page, "alice", "alice-password")
    active_requests = RequestLog(page, ACTIVE_API)
    button = page.locator("#page-header-jobs-dropdown")
    expect(button).to_be_hidden()  # no active job, no button
    screenshot(page, "01-dashboard-no-active-jobs")

    # when: alice starts a bulk SMS to 300 contacts from the dashboard
    job = start_bulk_sms(page, customers)

    # then: the button appears at once (one poll after the start) with badge 1
    expect(button).to_be_visible()
    expect(page.locator("#headerJobsBadge")).to_have_text("1")
    button.click()
    item = page.locator(f'#headerJobsActive .job-item[data-job-id="{job.pk}"]')
    expect(item.locator(".job-title")).to_have_text(job.title)
    screenshot(page, "02-widget-job-started")

    # the progress bar advances at least twice while the job runs
    recent_success = page.locator(f'#headerJobsRecent .job-history-item[data-job-id="{job.pk}"] .badge.bg-success')
    values = progress_values(page, job.pk, until=lambda: recent_success.count() > 0)
    assert len(values) >= 3 and values == sorted(values), values
    assert sum(1 for a, b in zip(values, values[1:], strict=False) if b > a) >= 2, values

    # the job finishes and moves to the recent jobs with a success badge (text, not just colour)
    expect(recent_success).to_have_text("Completed", timeout=60_000)
    expect(page.locator(f'.job-toast[data-job-id="{job.pk}"]')).to_contain_text("completed")
    screenshot(page, "03-widget-job-completed")
    job.refresh_from_db()
    assert job.status == Status.COMPLETED and job.success_count == AUDIENCE
    assert gateway.total_accepted == AUDIENCE

    # and polling stops: no request to the active endpoint for 15 s
    seen = active_requests.count()
    page.wait_for_timeout(15_000)
    assert active_requests.count() == seen, "the widget kept polling with no active job"
    page.keyboard.press("Escape")
    expect(button).to_be_hidden()
    screenshot(page, "04-no-active-jobs-no-polling")


def test_user_cancels_a_running_bulk_sms_from_the_jobs_page(page, alice, customers, sms_worker, gateway):
    gateway.reset()
    login(page, "alice", "alice-password")
    job = start_bulk_sms(page, customers)
    wait_for(lambda: BackgroundJob.objects.get(pk=job.pk).processed_items > 0, timeout=30, message="sending")

    # when: alice cancels it from the jobs page
    page.goto("/jobs/")
    row = page.locator(f'tr[data-job-id="{job.pk}"]')
    expect(row.locator(".job-status")).to_have_text("Running")
    screenshot(page, "05-jobs-page-running")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    row.locator("button.job-cancel").click()

    # then: the detail page follows it to Cancelled; what was sent is counted, the rest
    # counted failed as "not sent" (no ledger row stays queued after a cancel)
    expect(page.locator(".alert-success")).to_contain_text("Cancellation requested")
    assert dialogs and "300 items" in dialogs[0]  # a send of more than 100 recipients asks first
    expect(page.locator("#jobStatus")).to_have_text("Cancelled", timeout=30_000)
    screenshot(page, "06-job-cancelled")
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert 0 < job.success_count < AUDIENCE
    assert job.processed_items == job.success_count + job.failed_count
    expect(page.locator("#jobRetry")).to_be_visible()


def test_finished_report_shows_a_download_toast(page, alice, customers, sms_worker):
    login(page, "alice", "alice-password")

    # when: alice exports the tagged contacts as CSV from the dashboard
    page.select_option("#reportKind", "contacts")
    page.wait_for_selector("#reportTag[data-loaded]", state="attached")
    page.select_option("#reportTag", customers.name)
    page.click("#reportForm button[type=submit]")
    expect(page.locator("#reportForm .alert-success")).to_be_visible()
    job = BackgroundJob.objects.latest("id")

    # then: once it is done, a toast says "report ready - download" with the file's link
    toast = page.locator(f'.job-toast[data-job-id="{job.pk}"]')
    expect(toast).to_contain_text("report ready - download", timeout=30_000)
    screenshot(page, "08-report-ready-toast")
    with page.expect_download() as download:
        toast.locator("a.job-download").click()
    lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert len(lines) == AUDIENCE + 1  # header + one row per contact
