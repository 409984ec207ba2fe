"""A report whose worker dies is resumed and rebuilt from the start, not failed; a warm
shutdown hands it to another worker at once. Either way no partial file is left."""

import os

import pytest

from jobs.models import BackgroundJob
from notifications.models import Contact
from reports.models import Report
from reports.services import partial_path
from tests.reports.helpers import finished, read_csv_bytes, report_bytes
from tests.workers import reaper_every, wait_for

# Worker kills and warm shutdowns: CI runs these once (chaos).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue, pytest.mark.chaos]
ROWS = 2000
SLOW = {"REPORTS_ROW_DELAY": "0.005", "JOBS_PROGRESS_INTERVAL": "0.2"}  # ~10 s per build


@pytest.fixture
def export(alice_client):
    Contact.objects.bulk_create(Contact(name=f"c{i}", phone=f"+98912{i:07d}") for i in range(ROWS))

    def request():
        response = alice_client.post("/reports/api/", {"kind": "contacts", "format": "csv"}, format="json")
        return Report.objects.get(pk=response.json()["reportId"])

    return request


def processed(report):
    return BackgroundJob.objects.get(pk=report.job_id).processed_items


def stored_files(media_root, report):
    return [f for _, _, files in os.walk(media_root) for f in files if f"-{report.pk}." in f]


def assert_complete_and_alone(report, media_root):
    report = finished(report)
    job = report.job
    assert job.status == BackgroundJob.Status.COMPLETED, job.error_message
    assert (job.processed_items, job.success_count, job.total_items) == (ROWS, ROWS, ROWS)
    assert report.row_count == ROWS
    assert len(read_csv_bytes(report_bytes(report))) == ROWS + 1
    assert len(stored_files(media_root, report)) == 1
    assert not partial_path(report).exists()
    return job


def test_report_of_a_killed_worker_is_rebuilt_and_leaves_no_partial_file(worker_factory, export, media_root, settings):
    # given an export half written by a worker
    settings.JOBS_STUCK_AFTER = 2
    worker = worker_factory(queues="reports", concurrency=1, env=SLOW)
    report = export()
    wait_for(lambda: processed(report) > 200, timeout=60, message="the export to be half way")
    assert partial_path(report).exists()

    # when the worker is SIGKILLed and another one starts
    worker.kill()
    worker_factory(queues="reports", concurrency=1, env=SLOW)

    # then it is run again (resumed by the reaper; on RabbitMQ the broker also redelivers
    # its message at once) and rebuilt from the start, not failed as "worker lost"
    with reaper_every(0.5) as outcomes:
        job = assert_complete_and_alone(report, media_root)
    assert job.attempts == 2
    assert not any(outcome["failed"] for outcome in outcomes)


def test_warm_shutdown_hands_a_report_to_another_worker(worker_factory, export, media_root):
    # given an export running on worker A, and worker B idle
    first = worker_factory(queues="reports", concurrency=1, env=SLOW)
    report = export()
    wait_for(lambda: processed(report) > 200, timeout=60, message="the export to be half way")
    worker_factory(queues="reports", concurrency=1, env=SLOW)

    # when A is stopped (SIGTERM)
    first.stop(timeout=60)

    # then B rebuilds it at once, without the reaper
    job = assert_complete_and_alone(report, media_root)
    assert job.attempts == 2
    assert "warm shutdown: the running job task hands its work back" in first.log()
