"""Cancelling an export mid-way: the job ends Cancelled and no file is left behind."""

import os
import tempfile

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import cancel_job
from notifications.models import Contact
from reports.models import Report
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 3000


@pytest.fixture
def slow_worker(worker_factory):
    # 5 ms per row: the export takes ~15 s unless cancelled.
    return worker_factory(queues="reports", concurrency=1, env={"REPORTS_ROW_DELAY": "0.005"})


def test_cancel_mid_export_leaves_job_cancelled_and_no_file(slow_worker, alice_client, media_root):
    # given
    Contact.objects.bulk_create(Contact(name=f"c{i}", phone=f"+98912{i:07d}") for i in range(ROWS))
    response = alice_client.post("/reports/api/", {"kind": "contacts", "format": "xlsx"}, format="json")
    report = Report.objects.get(pk=response.json()["reportId"])
    job = report.job
    wait_for(lambda: BackgroundJob.objects.get(pk=job.pk).processed_items > 0, timeout=30, message="export to start")

    # when
    assert cancel_job(job)

    # then
    wait_for(
        lambda: BackgroundJob.objects.get(pk=job.pk).status == BackgroundJob.Status.CANCELLED,
        timeout=30,
        message="job to be cancelled",
    )
    job.refresh_from_db()
    report.refresh_from_db()
    assert 0 < job.processed_items < ROWS
    assert not report.file and not report.is_ready and report.row_count == 0
    assert alice_client.get(f"/reports/{report.pk}/download/").status_code == 404
    stored = [f for _, _, files in os.walk(media_root) for f in files if f"-{report.pk}." in f]
    assert stored == []
    leftovers = [f for f in os.listdir(tempfile.gettempdir()) if f.startswith(f"report-{report.pk}.")]
    assert leftovers == []
