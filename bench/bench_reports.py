"""Contacts export to CSV and XLSX: rows per second and peak memory at 100,000 and 1,000,000 rows.

Each export runs as its own process (`manage.py report contacts`), like ops would
run it; its peak memory is the child's own high-water RSS (VmHWM). The baseline is the same
command exporting 0 rows (Django loaded, nothing streamed). Goal: peak under
150 MB and flat between 100k and 1M rows (ratio ~1.0).
"""

import datetime as dt
import os
import re
import subprocess
import sys
import time

from bench.common import BASE_DIR, row

SIZES = (100_000, 1_000_000)
TAGGED_EVERY = 3  # every third contact has a tag
BATCH = 50_000


def insert_contacts(start, stop):
    """Raw executemany: contacts start..stop-1, every TAGGED_EVERY-th tagged "vip"."""
    from django.db import connection, transaction

    from notifications.models import Contact, Tag

    contact_table = Contact._meta.db_table
    through = Contact.tags.through._meta.db_table
    tag, _ = Tag.objects.get_or_create(name="vip")
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat(sep=" ")
    sql = (
        f"INSERT INTO {contact_table} (id, name, phone, email, is_active, opted_out, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    tag_sql = f"INSERT INTO {through} (contact_id, tag_id) VALUES (%s, %s)"
    for lo in range(start, stop, BATCH):
        hi = min(lo + BATCH, stop)
        rows = [
            (i + 1, f"Contact {i}", f"+98912{i:07d}", f"c{i}@example.com", True, i % 50 == 0, created)
            for i in range(lo, hi)
        ]
        tags = [(i + 1, tag.pk) for i in range(lo, hi) if i % TAGGED_EVERY == 0]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            cursor.executemany(tag_sql, tags)


def export(fmt, *extra):
    """Run `manage.py report contacts` in a child process; (rows, seconds, peak MB)."""
    out = BASE_DIR / "var" / f"bench-contacts.{fmt}"
    cmd = [sys.executable, "manage.py", "report", "contacts", "--format", fmt, "-o", str(out), "--no-progress", *extra]
    proc = subprocess.run(cmd, cwd=BASE_DIR, env=os.environ.copy(), capture_output=True)
    if proc.returncode:
        raise RuntimeError(f"export failed:\n{proc.stderr.decode()}")
    stdout = proc.stdout
    # The command times the export itself (process start-up and Django import excluded).
    # Peak: the child's own VmHWM (ru_maxrss from wait4 would include this parent's
    # peak, inherited across fork/exec).
    match = re.search(rb"^(\d+) rows written to .* \((\d+) rows/s\), peak memory (\d+) MB", stdout, re.M)
    rows, rate, peak = int(match[1]), int(match[2]), int(match[3])
    out.unlink(missing_ok=True)
    return rows, (rows / rate if rate else 0.0), peak


def run():
    from notifications.models import Contact

    Contact.objects.all().delete()  # other benchmarks of the same run leave contacts behind
    started = time.monotonic()
    insert_contacts(0, SIZES[0])
    row("insert 100,000 contacts (executemany)", f"{time.monotonic() - started:.1f}", "s")

    results = {}
    for fmt in ("csv", "xlsx"):
        _, _, base = export(fmt, "--tag", "none-such")
        results[(fmt, 0)] = (0, 0, base)
    done = SIZES[0]
    for size in SIZES:
        if size > done:
            started = time.monotonic()
            insert_contacts(done, size)
            done = size
            row(f"insert up to {size:,} contacts", f"{time.monotonic() - started:.1f}", "s")
        for fmt in ("csv", "xlsx"):
            rows, elapsed, peak = export(fmt)
            assert rows == size, (rows, size)
            results[(fmt, size)] = (rows, elapsed, peak)
            row(
                f"{fmt.upper()} {size:>9,} rows: rows per second",
                f"{rows / elapsed:,.0f}",
                "rows/s",
                f"({elapsed:.1f}s)",
            )
            row(f"{fmt.upper()} {size:>9,} rows: peak memory (VmHWM)", f"{peak:.0f}", "MB")

    for fmt in ("csv", "xlsx"):
        base = results[(fmt, 0)][2]
        small, large = results[(fmt, SIZES[0])][2], results[(fmt, SIZES[1])][2]
        row(f"{fmt.upper()} peak memory, 0-row export (baseline)", f"{base:.0f}", "MB")
        row(f"{fmt.upper()} peak memory 1M / 100k rows", f"{large / small:.2f}", "x", "(goal ~1.0: flat)")
        row(
            f"{fmt.upper()} peak memory 1M rows / baseline",
            f"{large / base:.2f}",
            "x",
            f"(goal: under 150 MB; {large:.0f} MB)",
        )
    csv_rate = SIZES[1] / results[("csv", SIZES[1])][1]
    xlsx_rate = SIZES[1] / results[("xlsx", SIZES[1])][1]
    row("XLSX / CSV speed at 1M rows", f"{xlsx_rate / csv_rate:.2f}", "x")
