"""The committed .po files are complete and their committed .mo files are up to date
(a fresh machine has no msgfmt: what gettext answers is what the .mo holds)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


def po_entries(language):
    """(msgid, msgstr) of the singular entries (makemessages --no-wrap: one line each)."""
    msgid = None
    for line in (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith('msgid "'):
            msgid = ast.literal_eval(line[len("msgid ") :])
        elif line.startswith("msgid_plural") or line.startswith("msgctxt"):
            msgid = None
        elif line.startswith('msgstr "') and msgid:
            yield msgid, ast.literal_eval(line[len("msgstr ") :])
            msgid = None


@pytest.mark.parametrize("language", ["fa", "ar"])
def test_every_string_is_translated_and_compiled(language):
    entries = list(po_entries(language))
    assert len(entries) > 200

    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    with translation.override(language):
        stale = [msgid for msgid, msgstr in entries if msgstr and translation.gettext(msgid) != msgstr]

    assert untranslated == []
    assert stale == [], "run manage.py compilemessages and commit the .mo files"
