"""Test helpers for reports: read files back, build expected rows straight from the database."""

import csv
import datetime as dt
import io
import re

import openpyxl
from django.utils import timezone

from jobs.models import BackgroundJob
from reports.models import Report
from tests.workers import wait_for

TZ = "Asia/Tehran"


def local(day: str, hour=12, minute=0):
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=timezone.get_current_timezone())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text[:-2] if re.fullmatch(r"-?\d+\.0", text) else text


def as_text(rows):
    """Cells as text without trailing blanks, so CSV (all strings) and XLSX (typed) compare alike."""
    result = []
    for row in rows:
        cells = [_text(v) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        result.append(cells)
    return result


def read_csv_bytes(data: bytes):
    return as_text(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx_bytes(data: bytes):
    """{sheet name: rows} of a workbook."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: as_text(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def report_bytes(report: Report) -> bytes:
    with report.file.open("rb") as fh:
        return fh.read()


def finished(report: Report) -> Report:
    wait_for(lambda: _job_finished(report), timeout=60, message=f"report {report.pk} job to finish")
    report.refresh_from_db()
    return report


def _job_finished(report):
    return BackgroundJob.objects.filter(pk=report.job_id, status__in=BackgroundJob.FINISHED).exists()


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def local_text(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
