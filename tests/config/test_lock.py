"""Reproducible installs: requirements*.lock pin every package (transitive ones
too) with hashes, the venv the tests run in holds exactly the dev lock, and the
locks are up to date with the human-edited requirements*.txt (`make lock`)."""

import re
from importlib import metadata

from tests.workers import BASE_DIR

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path) -> dict:
    """{name: version} of a lock; fails on a requirement that is not an exact, hashed pin."""
    text = (BASE_DIR / path).read_text()
    pins = {}
    for entry in re.split(r"\n(?=\S)", text):
        if not entry.strip() or entry.startswith("#"):
            continue
        match = PIN.match(entry)
        assert match, f"{path}: not an exact pin: {entry.splitlines()[0]}"
        assert "--hash=sha256:" in entry, f"{path}: {match[1]} has no hash"
        pins[normalize(match[1])] = match[2]
    return pins


def required(path) -> dict:
    """{name: version} of the direct requirements in a requirements*.txt."""
    pins = {}
    for line in (BASE_DIR / path).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)", line)
        if match:
            pins[normalize(match[1])] = match[2]
    return pins


def installed() -> dict:
    return {normalize(d.metadata["Name"]): d.version for d in metadata.distributions()}


def test_the_venv_holds_exactly_the_dev_lock():
    lock = locked("requirements-dev.lock")

    venv = installed()

    assert {n: v for n, v in venv.items() if lock.get(n) != v} == {}, "installed but not locked (or other version)"
    assert {n: v for n, v in lock.items() if venv.get(n) != v} == {}, "locked but not installed"


def test_runtime_lock_agrees_with_the_dev_lock():
    runtime, dev = locked("requirements.lock"), locked("requirements-dev.lock")

    assert runtime and {n: v for n, v in runtime.items() if dev.get(n) != v} == {}


def test_locks_are_up_to_date_with_the_requirements():
    for source, lock in [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]:
        pins = locked(lock)

        stale = {n: v for n, v in required(source).items() if pins.get(n) != v}

        assert stale == {}, f"{source} changed since {lock} was made: run `make lock`"


def test_every_install_uses_the_lock_with_hashes():
    assert "--require-hashes -r requirements-dev.lock" in (BASE_DIR / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in (BASE_DIR / "Dockerfile").read_text()
