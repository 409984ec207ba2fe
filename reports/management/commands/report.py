"""`manage.py report KIND --format csv|xlsx [--from --to --tag --active] [-o FILE]`

Runs a report generator directly (no worker, no job) into a local file, with a
progress bar: for ops and benchmarks.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from reports.generators import KINDS, get_kind
from reports.serializers import ReportRequestSerializer
from reports.writers import write

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = "Write a report (contacts, messaging, jobs) to a CSV or XLSX file, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--format", default="csv", choices=["csv", "xlsx"])
        parser.add_argument("--from", dest="from", help="first day, YYYY-MM-DD (messaging, jobs)")
        parser.add_argument("--to", dest="to", help="last day, YYYY-MM-DD (messaging, jobs)")
        parser.add_argument("--tag", help="only contacts with this tag")
        parser.add_argument("--active", action="store_true", default=None, help="only active, not opted-out contacts")
        parser.add_argument("-o", "--output", help="file to write (default: KIND-YYYYMMDD.FORMAT)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        data = {k: options[k] for k in ("kind", "format", "from", "to", "tag", "active") if options[k] is not None}
        serializer = ReportRequestSerializer(data=data)
        if not serializer.is_valid():
            raise CommandError("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in serializer.errors.items()))
        kind, fmt, params = options["kind"], options["format"], serializer.parameters()
        output = options["output"] or f"{kind}-{timezone.localdate():%Y%m%d}.{fmt}"
        generator = get_kind(kind)
        total = generator.count(params)
        bar = tqdm(total=total, unit="rows", file=sys.stderr, disable=options["no_progress"], mininterval=0.5)
        pending = 0

        def on_row():
            nonlocal pending
            pending += 1
            if pending >= PROGRESS_EVERY:
                bar.update(pending)
                pending = 0

        started = time.monotonic()
        sheets = generator.sheets(params) if fmt == "xlsx" else ()
        rows = write(fmt, output, generator.rows(params), on_row, title=generator.sheet_title(), sheets=sheets)
        bar.update(pending)
        bar.close()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{rows} rows written to {output} in {elapsed:.1f}s ({rows / max(elapsed, 1e-9):.0f} rows/s), "
            f"peak memory {peak_memory_mb():.0f} MB"
        )


def peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM is per address space, so unlike
    ru_maxrss it does not inherit the (possibly bigger) parent's peak across fork/exec."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
