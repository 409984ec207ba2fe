"""POST /reports/api/: validated parameters; bad ones get 400 with field errors and nothing is enqueued."""

import pytest

from jobs.management.commands.jobs import queue_lengths
from jobs.models import BackgroundJob
from reports.models import Report

pytestmark = pytest.mark.django_db(transaction=True)


def queued(queue="reports") -> int:
    return queue_lengths()[queue]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "invoices", "format": "csv"}, "kind"),
        ({"kind": "contacts", "format": "pdf"}, "format"),
        ({"format": "csv"}, "kind"),
        ({"kind": "messaging", "format": "xlsx", "from": "2026-13-01", "to": "2026-01-02"}, "from"),
        ({"kind": "jobs", "format": "csv", "from": "2026-01-01", "to": "yesterday"}, "to"),
        ({"kind": "jobs", "format": "csv", "from": "2026-02-01", "to": "2026-01-01"}, "from"),
        ({"kind": "messaging", "format": "csv", "from": "2024-01-01", "to": "2026-01-01"}, "to"),
        ({"kind": "contacts", "format": "csv", "active": "perhaps"}, "active"),
        # dates outside a sane range (year 1 and 9999 used to crash the worker)
        ({"kind": "messaging", "format": "csv", "from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"kind": "jobs", "format": "csv", "to": "0001-01-01"}, "to"),
        ({"kind": "jobs", "format": "xlsx", "from": "9999-12-30", "to": "9999-12-31"}, "from"),
        ({"kind": "messaging", "format": "csv", "to": "9999-12-31"}, "to"),
    ],
)
def test_bad_parameters_get_400_and_nothing_is_enqueued(alice_client, purge_queues, data, field):
    response = alice_client.post("/reports/api/", data, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert field in body["errors"]
    assert not Report.objects.exists() and not BackgroundJob.objects.exists()
    assert queued() == 0


def test_valid_request_answers_ids_and_enqueues_one_task_on_the_reports_queue(alice_client, alice, purge_queues):
    response = alice_client.post(
        "/reports/api/", {"kind": "jobs", "format": "xlsx", "from": "2026-01-01", "to": "2026-01-31"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get(pk=body["reportId"])
    assert body == {"success": True, "jobId": report.job_id, "reportId": report.pk}
    assert report.owner == alice and report.parameters == {"from": "2026-01-01", "to": "2026-01-31"}
    job = report.job
    assert job.created_by == alice and job.status == BackgroundJob.Status.PENDING
    assert job.job_type == BackgroundJob.JobType.REPORT and job.queue == "reports"
    assert job.task_name == "reports.generate_report" and job.task_kwargs == {"report_id": report.pk}
    assert job.metadata["download_url"] == f"/reports/{report.pk}/download/"
    assert "2026-01-01" in job.title
    assert queued() == 1


def test_contacts_export_is_an_export_job_with_only_its_parameters(alice_client, purge_queues):
    response = alice_client.post(
        "/reports/api/", {"kind": "contacts", "format": "csv", "tag": "vip", "active": True, "from": "2026-01-01"}
    )

    report = Report.objects.get(pk=response.json()["reportId"])
    assert report.job.job_type == BackgroundJob.JobType.EXPORT
    assert report.parameters == {"tag": "vip", "active": True}


def test_anonymous_request_is_refused(client, purge_queues):
    response = client.post("/reports/api/", {"kind": "contacts", "format": "csv"})

    assert response.status_code in (401, 403)
    assert queued() == 0
