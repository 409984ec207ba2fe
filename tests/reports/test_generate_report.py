"""Each kind and format, requested through the API and built by a real worker,
checked row by row against the database."""

import pytest

from jobs.models import BackgroundJob
from notifications.models import Contact
from reports.generators import get_kind
from reports.models import Report
from tests.reports.helpers import finished, local_text, read_csv_bytes, read_xlsx_bytes, report_bytes, yes_no

pytestmark = pytest.mark.django_db(transaction=True)

CONTACT_HEADER = ["ID", "Name", "Phone", "Email", "Tags", "Active", "Opted out", "Created"]
MESSAGING_ROWS = [
    ["Day", "Channel", "Campaigns", "Recipients", "Sent", "Failed", "Failure reasons"],
    ["2026-01-10", "email", "1", "2", "1", "0"],
    ["2026-01-10", "sms", "2", "5", "2", "3", "timeout (2); invalid number (1)"],
    ["2026-01-11", "email", "1", "0", "0", "0"],
    ["2026-01-11", "sms", "1", "1", "1", "0"],
]
JOBS_ROWS = [
    ["Job type", "Status", "Jobs", "Average duration (s)", "Longest duration (s)"],
    ["Bulk SMS", "Completed", "2", "15", "20"],
    ["Bulk SMS", "Failed", "1", "5", "5"],
    ["Data export", "Completed", "1", "3", "3"],
    ["Data export", "Cancelled", "1"],
]


def expected_contacts(qs):
    rows = [CONTACT_HEADER]
    for c in qs.order_by("id").prefetch_related("tags"):
        tags = ", ".join(sorted(t.name for t in c.tags.all()))
        row = [
            str(c.pk),
            c.name,
            c.phone,
            c.email,
            tags,
            yes_no(c.is_active),
            yes_no(c.opted_out),
            local_text(c.created_at),
        ]
        rows.append(row)
    return rows


def request(client, **data):
    response = client.post("/reports/api/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["success"] is True
    report = Report.objects.get(pk=body["reportId"])
    assert report.job_id == body["jobId"]
    return finished(report)


def read(report):
    data = report_bytes(report)
    return {"Data": read_csv_bytes(data)} if report.format == "csv" else read_xlsx_bytes(data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contacts_export_lists_every_contact(worker, alice_client, contacts, fmt):
    # when
    report = request(alice_client, kind="contacts", format=fmt)

    # then
    job = report.job
    assert job.status == BackgroundJob.Status.COMPLETED, job.error_message
    assert job.job_type == BackgroundJob.JobType.EXPORT
    assert (job.total_items, job.processed_items, job.success_count) == (7, 7, 7)
    assert job.metadata["download_url"] == f"/reports/{report.pk}/download/"
    assert report.row_count == 7 and report.size == report.file.size > 0
    sheets = read(report)
    assert list(sheets.values())[0] == expected_contacts(Contact.objects.all())
    if fmt == "xlsx":
        assert list(sheets) == ["Contacts"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contacts_export_filters_by_tag_and_active(worker, alice_client, contacts, fmt):
    report = request(alice_client, kind="contacts", format=fmt, tag="vip", active=True)

    rows = list(read(report).values())[0]
    expected = expected_contacts(Contact.objects.filter(tags__name="vip", is_active=True, opted_out=False))
    assert rows == expected
    assert [r[1] for r in rows[1:]] == ["Ali", "Sara", "نرگس"]
    assert report.row_count == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_messaging_report_per_day_and_channel(worker, alice_client, messaging_data, fmt):
    report = request(alice_client, kind="messaging", format=fmt, **{"from": "2026-01-10", "to": "2026-01-11"})

    assert report.job.status == BackgroundJob.Status.COMPLETED, report.job.error_message
    assert report.job.job_type == BackgroundJob.JobType.REPORT
    assert report.row_count == 4 and report.job.processed_items == 4
    sheets = read(report)
    if fmt == "csv":
        assert sheets["Data"] == MESSAGING_ROWS
    else:
        assert list(sheets) == ["Summary", "Per day"]
        assert sheets["Per day"] == MESSAGING_ROWS
        assert sheets["Summary"] == [
            ["From", "2026-01-10"],
            ["To", "2026-01-11"],
            ["Channel", "Campaigns", "Recipients", "Sent", "Failed", "Success rate %", "Top failure reasons"],
            ["email", "2", "2", "1", "0", "50"],
            ["sms", "3", "6", "3", "3", "50", "timeout (2); invalid number (1)"],
            ["All", "5", "8", "4", "3", "50", "timeout (2); invalid number (1)"],
        ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_jobs_report_per_type_and_status(worker, alice_client, jobs_data, fmt):
    report = request(alice_client, kind="jobs", format=fmt, **{"from": "2026-01-10", "to": "2026-01-10"})

    assert report.job.status == BackgroundJob.Status.COMPLETED, report.job.error_message
    assert list(read(report).values())[-1] == JOBS_ROWS
    assert report.row_count == 4


def count_and_rows(kind, params):
    generator = get_kind(kind)
    return generator.count(params), len(list(generator.rows(params))) - 1


def test_messaging_count_matches_the_rows_written(messaging_data):
    # The job's total comes from count(), which must not rebuild the rows to get it.
    assert count_and_rows("messaging", {"from": "2026-01-10", "to": "2026-01-11"}) == (4, 4)


def test_jobs_count_matches_the_rows_written(jobs_data):
    assert count_and_rows("jobs", {"from": "2026-01-10", "to": "2026-01-11"}) == (4, 4)
