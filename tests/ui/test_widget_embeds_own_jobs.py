import pytest

from jobs.models import BackgroundJob
from tests.ui.conftest import embedded_widget_data

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


def test_page_embeds_only_the_users_own_jobs(client, alice, bob, make_job):
    # given
    mine = make_job(alice, title="alice running")
    make_job(alice, status=Status.COMPLETED, title="alice done")
    make_job(bob, title="bob running")
    make_job(bob, status=Status.FAILED, title="bob failed")
    client.force_login(alice)

    # when
    html = client.get("/jobs/").content.decode()
    data = embedded_widget_data(html)

    # then
    assert [job["id"] for job in data["active"]["jobs"]] == [mine.pk]
    assert {job["title"] for job in data["recent"]["jobs"]} == {"alice running", "alice done"}
    assert "bob running" not in html and "bob failed" not in html


def test_embedded_jobs_use_the_seed_keys(client, alice, make_job):
    make_job(alice)
    client.force_login(alice)

    job = embedded_widget_data(client.get("/").content.decode())["active"]["jobs"][0]

    for key in (
        "id", "title", "description", "jobType", "jobTypeText", "status", "statusText", "statusBadgeClass",
        "progress", "totalItems", "processedItems", "successCount", "failedCount", "startDate",
    ):  # fmt: skip
        assert key in job
    assert (job["progress"], job["processedItems"], job["totalItems"]) == (65, 97, 150)
    assert (job["statusText"], job["statusBadgeClass"], job["jobTypeText"]) == ("Running", "bg-primary", "Bulk SMS")


@pytest.mark.parametrize(
    ("statuses", "active"),
    [([Status.COMPLETED], 0), ([Status.PENDING, Status.RUNNING, Status.FAILED], 2)],
    ids=["no-active-job", "two-active-jobs"],
)
def test_jobs_button_shows_the_active_count_and_is_hidden_at_zero(client, alice, make_job, statuses, active):
    for status in statuses:
        make_job(alice, status=status)
    client.force_login(alice)

    html = client.get("/").content.decode()

    button = html[html.index('id="page-header-jobs-dropdown"') :].split(">", 1)[0]
    assert (" hidden" in button) == (active == 0)
    assert f'<span id="headerJobsBadge" class="badge bg-primary">{active}</span>' in html
