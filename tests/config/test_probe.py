"""`python -m config.probe` (the compose healthchecks) tells healthy from not."""

import os
import subprocess
import sys

import pytest

from tests.workers import BASE_DIR, free_port, session_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def probe(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "config.probe", *args],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": session_database_url(), **env},
        capture_output=True,
        timeout=60,
    ).returncode


def test_http_probe_passes_on_a_healthy_server(live_server):
    assert probe(f"{live_server.url}/healthz", ALLOWED_HOSTS="localhost") == 0


def test_http_probe_fails_when_nothing_answers():
    assert probe(f"http://127.0.0.1:{free_port()}/healthz") == 1


def test_services_probe_checks_database_and_broker(broker_url):
    assert probe("services", REDIS_URL=broker_url) == 0
    assert probe("services", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") == 1
