import pytest

from jobs.models import BackgroundJob

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status
JobType = BackgroundJob.JobType


def rows(html):
    return html.count('<tr data-job-id="')


def test_lists_only_the_users_jobs_newest_first(client, alice, bob, make_job):
    first = make_job(alice, title="first")
    second = make_job(alice, title="second")
    make_job(bob, title="not mine")
    client.force_login(alice)

    html = client.get("/jobs/").content.decode()

    assert rows(html) == 2
    assert html.index(f'data-job-id="{second.pk}"') < html.index(f'data-job-id="{first.pk}"')
    assert "not mine" not in html


def test_filters_by_status_and_type(client, alice, make_job):
    make_job(alice, status=Status.FAILED, job_type=JobType.SMS, title="failed sms")
    make_job(alice, status=Status.FAILED, job_type=JobType.EMAIL, title="failed email")
    make_job(alice, status=Status.COMPLETED, job_type=JobType.SMS, title="done sms")
    client.force_login(alice)

    html = client.get("/jobs/", {"status": Status.FAILED, "type": JobType.SMS}).content.decode()

    assert rows(html) == 1 and "failed sms" in html


def test_bad_filter_values_are_ignored(client, alice, make_job):
    make_job(alice)
    client.force_login(alice)

    response = client.get("/jobs/", {"status": "nope", "type": "99", "page": "x"})

    assert response.status_code == 200 and rows(response.content.decode()) == 1


def test_pages_by_twenty_and_keeps_the_filter(client, alice, make_job):
    for i in range(25):
        make_job(alice, status=Status.COMPLETED, title=f"job {i}")
    client.force_login(alice)

    first = client.get("/jobs/", {"status": Status.COMPLETED}).content.decode()
    second = client.get("/jobs/", {"status": Status.COMPLETED, "page": 2}).content.decode()

    assert rows(first) == 20 and rows(second) == 5
    assert f'href="?status={Status.COMPLETED}&amp;page=2"' in first


def test_active_rows_have_a_cancel_button_and_finished_ones_retry(client, alice, make_job):
    make_job(alice, status=Status.RUNNING)
    make_job(alice, status=Status.FAILED)
    make_job(alice, status=Status.COMPLETED)
    client.force_login(alice)

    html = client.get("/jobs/").content.decode()

    assert html.count("job-cancel") == 1 and html.count("job-retry") == 1
