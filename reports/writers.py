"""Stream rows into CSV or XLSX files in constant memory.

`on_row()` is called after each data row (not the header); it may raise
`Cancelled` to stop. Writers write to a local path; reports.services moves the
finished file into Django's storage.
"""

import csv

import xlsxwriter

XLSX_MAX_ROWS = 1_048_576  # per worksheet, header included


class Cancelled(Exception):
    """Raised by an on_row callback to stop writing (the job was cancelled)."""


def _noop():
    pass


def write_csv(path, rows, on_row=None) -> int:
    """Header + rows to a UTF-8 CSV (with BOM, so Excel reads non-Latin text). Returns data rows."""
    on_row = on_row or _noop
    count = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        rows = iter(rows)
        header = next(rows, None)
        if header is not None:
            writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
            on_row()
    return count


def write_xlsx(path, rows, on_row=None, title="Data", sheets=(), tmpdir=None) -> int:
    """Header + rows to an XLSX workbook in XlsxWriter's constant_memory mode.

    `sheets` are (name, rows) written first (e.g. a summary); the data sheet
    continues on "<title> (2)" ... past Excel's row limit. Returns data rows.
    """
    on_row = on_row or _noop
    options = {
        "constant_memory": True,
        # Cell text is data, never a formula, link or number in disguise.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    if tmpdir:
        options["tmpdir"] = str(tmpdir)
    workbook = xlsxwriter.Workbook(str(path), options)
    bold = workbook.add_format({"bold": True})
    try:
        for name, sheet_rows in sheets:
            sheet = workbook.add_worksheet(_sheet_name(name))
            for r, row in enumerate(sheet_rows):
                sheet.write_row(r, 0, row, bold if r == 0 else None)
        count = 0
        rows = iter(rows)
        header = next(rows, None) or []
        part, sheet, r = 1, None, XLSX_MAX_ROWS
        for row in rows:
            if r >= XLSX_MAX_ROWS:
                sheet = workbook.add_worksheet(_sheet_name(title if part == 1 else f"{title} ({part})"))
                sheet.freeze_panes(1, 0)
                sheet.write_row(0, 0, header, bold)
                part, r = part + 1, 1
            sheet.write_row(r, 0, row)
            r += 1
            count += 1
            on_row()
        if sheet is None:  # no data rows: still a sheet with the header
            workbook.add_worksheet(_sheet_name(title)).write_row(0, 0, header, bold)
    finally:
        workbook.close()
    return count


def _sheet_name(name) -> str:
    bad = set("[]:*?/\\")
    return "".join("_" if ch in bad else ch for ch in str(name))[:31] or "Sheet"


def write(fmt, path, rows, on_row=None, title="Data", sheets=(), tmpdir=None) -> int:
    if fmt == "csv":
        return write_csv(path, rows, on_row)
    if fmt == "xlsx":
        return write_xlsx(path, rows, on_row, title=title, sheets=sheets, tmpdir=tmpdir)
    raise ValueError(f"unknown format {fmt!r}")
