"""File writing: continuation sheets past Excel's row limit, and no file left behind by a failed build."""

import os
import tempfile

import pytest

from reports import writers
from reports.models import Report
from reports.services import build_report_file
from tests.reports.helpers import read_xlsx_bytes


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)  # header + 2 rows per sheet
    path = tmp_path / "x.xlsx"

    count = writers.write_xlsx(path, iter([["n"], [1], [2], [3], [4], [5]]), title="Data")

    assert count == 5
    assert read_xlsx_bytes(path.read_bytes()) == {
        "Data": [["n"], ["1"], ["2"]],
        "Data (2)": [["n"], ["3"], ["4"]],
        "Data (3)": [["n"], ["5"]],
    }


def test_cells_that_look_like_formulas_stay_text(tmp_path):
    path = tmp_path / "x.xlsx"

    writers.write_xlsx(path, iter([["name"], ["=1+1"], ["+989121234567"]]))

    assert read_xlsx_bytes(path.read_bytes())["Data"][1:] == [["=1+1"], ["+989121234567"]]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_failed_build_stores_nothing_and_removes_its_temp_file(alice, contacts, fmt):
    report = Report.objects.create(kind="contacts", format=fmt, owner=alice)

    def boom():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        build_report_file(report, on_row=boom)

    report.refresh_from_db()
    assert not report.file and report.row_count == 0
    assert not [f for f in os.listdir(tempfile.gettempdir()) if f.startswith(f"report-{report.pk}-")]
