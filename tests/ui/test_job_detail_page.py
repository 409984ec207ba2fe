import pytest

from jobs.models import BackgroundJob

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status


def test_owner_sees_counts_error_and_duration(client, alice, make_job):
    job = make_job(
        alice, status=Status.FAILED, title="Nightly SMS", error_message="Gateway refused the message.",
        total_items=150, processed_items=97, success_count=95, failed_count=2,
    )  # fmt: skip
    client.force_login(alice)

    response = client.get(f"/jobs/{job.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nightly SMS" in html
    assert "Gateway refused the message." in html
    assert '<dd class="col-sm-8 col-lg-9" id="jobSuccess">95</dd>' in html
    assert '<dd class="col-sm-8 col-lg-9" id="jobFailed">2</dd>' in html
    assert 'id="jobDuration">00:00</bdi>' in html
    assert 'id="jobRetry"' in html and 'id="jobCancel"' not in html


def test_other_user_gets_404(client, alice, bob, make_job):
    job = make_job(alice)
    client.force_login(bob)

    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404
    job.refresh_from_db()
    assert job.status == Status.RUNNING and not job.cancel_requested


def test_cancel_of_a_pending_job_cancels_it(client, alice, make_job):
    job = make_job(alice, status=Status.PENDING)
    client.force_login(alice)

    response = client.post(f"/jobs/{job.pk}/cancel/")

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == Status.CANCELLED


def test_cancel_of_a_running_job_flags_it(client, alice, make_job):
    job = make_job(alice, status=Status.RUNNING)
    client.force_login(alice)

    response = client.post(f"/jobs/{job.pk}/cancel/", follow=True)

    job.refresh_from_db()
    assert job.cancel_requested and job.status == Status.RUNNING
    assert "stops at its next check" in response.content.decode()


def test_cancel_needs_post(client, alice, make_job):
    job = make_job(alice, status=Status.PENDING)
    client.force_login(alice)

    assert client.get(f"/jobs/{job.pk}/cancel/").status_code == 405


def test_retry_of_a_failed_job_starts_a_linked_new_job(client, alice, make_job):
    job = make_job(alice, status=Status.FAILED)
    client.force_login(alice)

    response = client.post(f"/jobs/{job.pk}/retry/")

    new_job = BackgroundJob.objects.get(retry_of=job)
    assert response["Location"] == f"/jobs/{new_job.pk}/"
    assert new_job.status == Status.PENDING and new_job.created_by == alice


def test_retry_of_a_completed_job_is_refused(client, alice, make_job):
    job = make_job(alice, status=Status.COMPLETED)
    client.force_login(alice)

    response = client.post(f"/jobs/{job.pk}/retry/", follow=True)

    assert not BackgroundJob.objects.filter(retry_of=job).exists()
    assert "Only failed or cancelled jobs can be retried." in response.content.decode()
