"""What came of a campaign: its ledger as pages of deliveries and as a CSV export."""

import csv
import re

from django.core.paginator import Paginator

PAGE_SIZE = 50
CSV_COLUMNS = ["recipient", "status", "error", "attempts", "sentAt"]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE = re.compile(r"^\+\d{4,15}$")


def deliveries_page(campaign, status="", page=1):
    """(rows of the page, next page number or None); an empty page past the end."""
    rows = campaign.deliveries.order_by("pk")
    if status:
        rows = rows.filter(status=status)
    paginator = Paginator(rows, PAGE_SIZE)
    number = min(page, max(paginator.num_pages, 1))
    current = paginator.page(number) if page <= paginator.num_pages else None
    if current is None:
        return [], None
    return list(current.object_list), current.next_page_number() if current.has_next() else None


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a `'`,
    except a phone number in E.164 (+98912...), which no spreadsheet runs."""
    if value.startswith(FORMULA_START) and not PHONE.match(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(campaign):
    """The CSV export, a line at a time: a header row, then one row per delivery."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    rows = campaign.deliveries.order_by("pk").values_list("recipient", "status", "error", "attempts", "sent_at")
    for recipient, status, error, attempts, sent_at in rows.iterator(chunk_size=2000):
        sent = sent_at.isoformat() if sent_at else ""
        yield writer.writerow([safe_cell(recipient), status, safe_cell(error), attempts, sent])
