"""python manage.py import_contacts FILE.csv"""

import io

import pytest
from django.core.management import call_command

from notifications.demo import seed_contacts
from notifications.models import Contact, Tag

pytestmark = pytest.mark.django_db

CSV = """name,phone,email,tags,opted_out
Ali,09121234567,ali@example.com,vip;newsletter,no
Sara,+98 912 000 0001,,newsletter,
Bad phone,12345,bad@example.com,,
No address,,,vip,
Dup,0912 123 4567,,,
Mail only,,Mail@Example.COM,lead,yes
Bad flag,09120000002,,,maybe
"""


def run(tmp_path, text, *args):
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_contacts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_rows_are_imported_and_bad_rows_reported_by_line(tmp_path):
    out, err = run(tmp_path, CSV)

    assert set(Contact.objects.values_list("phone", flat=True)) == {"+989121234567", "+989120000001", ""}
    ali = Contact.objects.get(phone="+989121234567")
    assert sorted(ali.tags.values_list("name", flat=True)) == ["newsletter", "vip"]
    assert Contact.objects.get(email="Mail@example.com").opted_out is True
    assert "line 4: phone '12345' is not a valid number" in err
    assert "line 5: a phone number or an email address is required" in err
    assert "line 6: duplicate of an earlier row (+989121234567)" in err
    assert "line 8: opted_out 'maybe' is not yes/no" in err
    assert "imported 3 new contacts" in out and "4 bad rows" in out


def test_importing_again_creates_nothing_new(tmp_path):
    run(tmp_path, CSV)
    out, _ = run(tmp_path, CSV)

    assert Contact.objects.count() == 3
    assert "imported 0 new contacts, 3 already existed" in out


def test_dry_run_writes_nothing(tmp_path):
    run(tmp_path, CSV, "--dry-run")
    assert Contact.objects.count() == 0


def test_seed_contacts_is_idempotent_and_tags_some_as_vip():
    assert seed_contacts(50) == 50
    assert seed_contacts(60) == 10
    assert Contact.objects.count() == 60
    assert Tag.objects.get(name="vip").contacts.count() == 6
    assert Contact.objects.filter(phone="+989120000000").exists()
