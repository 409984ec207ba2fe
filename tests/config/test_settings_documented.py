"""Every environment variable the code reads is documented with its default
in .env.example and in the README's configuration table."""

import re

from tests.workers import BASE_DIR

READERS = ["config/settings.py"]


def variables_read():
    names = set()
    for path in READERS:
        names |= set(re.findall(r'\benv(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', (BASE_DIR / path).read_text()))
    return sorted(names)


def test_settings_read_variables():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "FLOWER_BASIC_AUTH"} <= set(variables_read())


def test_every_variable_is_in_env_example():
    text = (BASE_DIR / ".env.example").read_text()

    missing = [name for name in variables_read() if not re.search(rf"^#? ?{name}=", text, re.M)]

    assert missing == []


def test_every_variable_is_in_the_readme_configuration_table():
    text = (BASE_DIR / "README.md").read_text()

    missing = [name for name in variables_read() if not re.search(rf"^\| `{name}` \|", text, re.M)]

    assert missing == []
