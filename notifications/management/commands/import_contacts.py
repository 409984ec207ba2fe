"""python manage.py import_contacts FILE.csv

Columns (header row, case-insensitive): name, phone, email, tags (separated by ; or |),
optional active / opted_out (yes/no, true/false, 1/0). Every row is validated; bad rows
are reported with their line numbers and skipped; good rows are inserted in bulk.
Contacts whose phone number already exists are left unchanged (their tags are added).
"""

import csv
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from tqdm import tqdm

from notifications.demo import link_tags
from notifications.models import Contact
from notifications.text import batched, normalize_email, normalize_phone

TAG_SPLIT = re.compile(r"[;|]")
TRUE, FALSE = {"1", "true", "yes", "y"}, {"0", "false", "no", "n", ""}
BATCH = 1000


def parse_bool(value, default):
    value = (value or "").strip().lower()
    if not value:
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(value)


def parse_row(row, region):
    """(contact fields, tag names) or raise ValueError with every problem of the row."""
    problems = []
    raw_phone, raw_email = (row.get("phone") or "").strip(), (row.get("email") or "").strip()
    phone = normalize_phone(raw_phone, region) if raw_phone else ""
    email = normalize_email(raw_email) if raw_email else ""
    if phone is None:
        problems.append(f"phone {raw_phone!r} is not a valid number")
    if email is None:
        problems.append(f"email {raw_email!r} is not a valid address")
    if not raw_phone and not raw_email:
        problems.append("a phone number or an email address is required")
    name = (row.get("name") or "").strip()
    if len(name) > 200:
        problems.append("name is longer than 200 characters")
    flags = {}
    for column, field, default in (("active", "is_active", True), ("opted_out", "opted_out", False)):
        try:
            flags[field] = parse_bool(row.get(column), default)
        except ValueError:
            problems.append(f"{column} {row.get(column)!r} is not yes/no")
    tags = []
    for raw in TAG_SPLIT.split(row.get("tags") or ""):
        if raw.strip():
            tag = slugify(raw.strip(), allow_unicode=True)[:50]
            if not tag:
                problems.append(f"tag {raw.strip()!r} is not valid")
            tags.append(tag)
    if problems:
        raise ValueError("; ".join(problems))
    return {"name": name, "phone": phone, "email": email, **flags}, tags


class Command(BaseCommand):
    help = "Import contacts from a CSV file (validates every row, reports bad rows by line number)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--region", default=None, help="Default region for numbers without +country code.")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--encoding", default="utf-8-sig")

    def handle(self, file, region=None, dry_run=False, encoding="utf-8-sig", **options):
        region = region or settings.PHONE_DEFAULT_REGION
        try:
            handle = open(file, newline="", encoding=encoding)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        with handle:
            total_lines = sum(1 for _ in handle)
            handle.seek(0)
            reader = csv.DictReader(handle)
            reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or []]
            if not {"phone", "email"} & set(reader.fieldnames):
                raise CommandError("The CSV needs a header row with a 'phone' and/or an 'email' column.")
            good, bad, seen = [], [], set()
            progress = tqdm(reader, total=max(total_lines - 1, 0), unit="row", disable=options["verbosity"] < 1,
                            file=self.stderr._out)  # fmt: skip
            for row in progress:
                line = reader.line_num
                try:
                    fields, tags = parse_row(row, region)
                except ValueError as exc:
                    bad.append((line, str(exc)))
                    continue
                key = fields["phone"] or fields["email"]
                if key in seen:
                    bad.append((line, f"duplicate of an earlier row ({key})"))
                    continue
                seen.add(key)
                good.append((fields, tags))
        for line, problem in bad:
            self.stderr.write(f"line {line}: {problem}")
        created = 0 if dry_run else self.save(good)
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(good) + len(bad)} rows: {verb} {len(good) if dry_run else created} new contacts, "
                f"{len(good) - created if not dry_run else 0} already existed, {len(bad)} bad rows skipped."
            )
        )

    def save(self, good):
        created = 0
        for batch in batched(good, BATCH):
            with transaction.atomic():
                before = Contact.objects.count()
                # Phone numbers are unique (conflicts ignored); email-only contacts are matched by address.
                emails = [f["email"] for f, _ in batch if not f["phone"]]
                known = set(Contact.objects.filter(email__in=emails, phone="").values_list("email", flat=True))
                new = [Contact(**f) for f, _ in batch if f["phone"] or f["email"] not in known]
                Contact.objects.bulk_create(new, ignore_conflicts=True)
                created += Contact.objects.count() - before
                phones = [f["phone"] for f, _ in batch if f["phone"]]
                by_phone = dict(Contact.objects.filter(phone__in=phones).values_list("phone", "pk"))
                by_email = dict(Contact.objects.filter(email__in=emails, phone="").values_list("email", "pk"))
                links = {}
                for fields, tags in batch:
                    pk = by_phone.get(fields["phone"]) if fields["phone"] else by_email.get(fields["email"])
                    if pk and tags:
                        links.setdefault(pk, []).extend(tags)
                if links:
                    link_tags(links)
        return created
