"""The jobs admin: list, detail with Celery links, cancel and retry actions."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_celery_results.models import TaskResult

from jobs.models import BackgroundJob

from .factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status
CHANGELIST = "admin:jobs_backgroundjob_changelist"


@pytest.fixture
def admin_client(admin_user, client):
    client.force_login(admin_user)
    return client


def test_list_shows_progress_bars(admin_client, alice):
    BackgroundJobFactory(created_by=alice, running=True, progress=65, total_items=150, processed_items=97)

    response = admin_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert b"width:65%" in response.content
    assert b"97/150" in response.content


@pytest.mark.parametrize(
    "query",
    [{"status__exact": "1"}, {"job_type__exact": "0"}, {"q": "SMS"}, {"created_at__gte": "2020-01-01"}],
)
def test_list_filters_and_search(admin_client, alice, query):
    running = BackgroundJobFactory(created_by=alice, running=True, title="Send SMS")
    BackgroundJobFactory(created_by=alice, completed=True, title="Export", job_type=BackgroundJob.JobType.EXPORT)

    response = admin_client.get(reverse(CHANGELIST), query)

    assert response.status_code == 200
    assert [job.pk for job in response.context["cl"].result_list][-1] == running.pk


def test_owner_filter(admin_client, alice, bob):
    BackgroundJobFactory(created_by=alice)
    bobs = BackgroundJobFactory(created_by=bob)

    response = admin_client.get(reverse(CHANGELIST), {"created_by__id__exact": bob.pk})

    assert [job.pk for job in response.context["cl"].result_list] == [bobs.pk]


def test_detail_links_task_result_and_flower(admin_client, alice, settings):
    settings.FLOWER_URL = "http://flower.example:5555/"
    job = BackgroundJobFactory(created_by=alice, failed=True)
    result = TaskResult.objects.create(task_id=job.task_id, status="FAILURE")

    response = admin_client.get(reverse("admin:jobs_backgroundjob_change", args=[job.pk]))

    assert response.status_code == 200
    assert f"http://flower.example:5555/task/{job.task_id}".encode() in response.content
    assert reverse("admin:django_celery_results_taskresult_change", args=[result.pk]).encode() in response.content


def test_jobs_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:jobs_backgroundjob_add")).status_code == 403


def test_cancel_action_reports_how_many_changed(admin_client, alice):
    pending = BackgroundJobFactory(created_by=alice)
    running = BackgroundJobFactory(created_by=alice, running=True)
    done = BackgroundJobFactory(created_by=alice, completed=True)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "cancel_selected", "_selected_action": [pending.pk, running.pk, done.pk]},
        follow=True,
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 jobs cancelled."]
    pending.refresh_from_db(), running.refresh_from_db(), done.refresh_from_db()
    assert (pending.status, running.cancel_requested, done.status) == (Status.CANCELLED, True, Status.COMPLETED)


def test_retry_action_reports_how_many_changed(admin_client, alice):
    failed = BackgroundJobFactory(created_by=alice, failed=True)
    done = BackgroundJobFactory(created_by=alice, completed=True)

    response = admin_client.post(
        reverse(CHANGELIST), {"action": "retry_selected", "_selected_action": [failed.pk, done.pk]}, follow=True
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 job started again."]
    assert list(BackgroundJob.objects.filter(retry_of__isnull=False).values_list("retry_of", flat=True)) == [failed.pk]
