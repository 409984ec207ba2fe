"""Another user's jobs never appear in the header widget, first render or polls."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import BackgroundJob
from tests.e2e.conftest import RequestLog, e2e, login, screenshot

pytestmark = [*e2e, pytest.mark.django_db(transaction=True)]
Status = BackgroundJob.Status


def add_job(user, title, status):
    return BackgroundJob.objects.create(
        created_by=user, title=title, status=status, job_type=BackgroundJob.JobType.SMS, progress=40,
        total_items=100, processed_items=40, success_count=40, task_name="demo.count_items",
        task_id=f"iso-{title}", started_at=timezone.now(),
        completed_at=timezone.now() if status in BackgroundJob.FINISHED else None,
    )  # fmt: skip


def test_bob_never_sees_alices_jobs_in_the_widget(page, alice, bob):
    # given: alice has active and finished jobs, bob one running job
    add_job(alice, "alice secret campaign", Status.RUNNING)
    add_job(alice, "alice second campaign", Status.PENDING)
    add_job(alice, "alice old campaign", Status.COMPLETED)
    bobs = add_job(bob, "bob campaign", Status.RUNNING)

    # when: bob logs in, then both users' jobs move on and the widget polls again
    login(page, "bob", "bob-password")
    page.focus("#page-header-jobs-dropdown")
    page.keyboard.press("Enter")  # keyboard reachable: opens the menu
    with page.expect_response(lambda r: "/jobs/api/active/" in r.url and r.status == 200, timeout=20_000) as polled:
        BackgroundJob.objects.filter(created_by=alice).update(progress=90, processed_items=90)
        BackgroundJob.objects.filter(pk=bobs.pk).update(progress=70, processed_items=70)
    body = polled.value.json()

    # then: only bob's job, in the API answer and in the widget
    assert [job["title"] for job in body["jobs"]] == ["bob campaign"]
    expect(page.locator("#headerJobsBadge")).to_have_text("1")
    expect(page.locator("#headerJobsActive .job-item")).to_have_count(1)
    expect(page.locator("#headerJobsActive .job-item .job-title")).to_have_text("bob campaign")
    expect(page.locator("#headerJobsActive .job-progress-text")).to_have_text("70% - 70/100")
    assert "alice" not in page.content()
    screenshot(page, "20-widget-bob-only-his-jobs")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "bob campaign"


def test_polling_pauses_while_the_tab_is_hidden(page, bob):
    add_job(bob, "bob campaign", Status.RUNNING)
    login(page, "bob", "bob-password")
    active_requests = RequestLog(page, "/jobs/api/active/")

    # when: the tab is hidden longer than the 5 s interval
    page.evaluate(
        """() => { Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
                   document.dispatchEvent(new Event("visibilitychange")); }"""
    )
    page.wait_for_timeout(6_000)

    # then: no polling; visible again, it polls at once
    assert active_requests.count() == 0
    with page.expect_request(lambda r: "/jobs/api/active/" in r.url, timeout=2_000):
        page.evaluate(
            """() => { Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
                       document.dispatchEvent(new Event("visibilitychange")); }"""
        )


def test_widget_is_hidden_for_a_user_without_active_jobs(page, alice, bob):
    add_job(alice, "alice secret campaign", Status.RUNNING)

    login(page, "bob", "bob-password")

    expect(page.locator("#page-header-jobs-dropdown")).to_be_hidden()
    assert "alice secret campaign" not in page.content()
