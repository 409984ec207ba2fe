"""`manage.py report` writes a generator's rows to a local file without a worker."""

import pytest
from django.core.management import CommandError, call_command

from tests.reports.helpers import read_csv_bytes, read_xlsx_bytes

pytestmark = pytest.mark.django_db


def test_command_writes_contacts_csv(contacts, tmp_path, capsys):
    out = tmp_path / "contacts.csv"

    call_command("report", "contacts", "--format", "csv", "--tag", "lead", "-o", str(out), "--no-progress")

    rows = read_csv_bytes(out.read_bytes())
    assert [r[1] for r in rows[1:]] == ["Sara", "Mina"]
    assert "2 rows written" in capsys.readouterr().out


def test_command_writes_jobs_xlsx(jobs_data, tmp_path):
    out = tmp_path / "jobs.xlsx"

    call_command("report", "jobs", "--format", "xlsx", "--from", "2026-01-10", "--to", "2026-01-10", "-o", str(out))

    assert len(read_xlsx_bytes(out.read_bytes())["Jobs"]) == 5


def test_command_rejects_reversed_dates(tmp_path):
    with pytest.raises(CommandError, match="start date"):
        call_command("report", "jobs", "--from", "2026-02-01", "--to", "2026-01-01", "-o", str(tmp_path / "x.csv"))
