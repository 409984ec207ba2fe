"""Flower as `make run` starts it (the Procfile's command): behind basic auth,
with Prometheus metrics, and never open when auth is not configured."""

import os
import subprocess
import sys

import pytest

from tests.config.procfile import procfile, status
from tests.workers import BASE_DIR, free_port, wait_for


def flower_argv(port):
    argv = procfile()["flower"]
    assert argv[:4] == ["celery", "-A", "config", "flower"]
    argv = [arg if not arg.startswith("--port=") else f"--port={port}" for arg in argv]
    return [sys.executable, "-m", *argv]


@pytest.fixture
def start_flower(tmp_path, broker_url):
    procs = []

    def start(**env):
        port = free_port()
        env = {**os.environ, "REDIS_URL": broker_url, "FLOWER_DB": str(tmp_path / "flower.db"), **env}
        log = tmp_path / f"flower-{port}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(flower_argv(port), cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        proc.log = log
        procs.append(proc)
        return proc, f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def test_flower_asks_for_credentials_and_accepts_the_configured_ones(start_flower):
    # given
    proc, url = start_flower(FLOWER_BASIC_AUTH="ops:s3cret")
    wait_for(lambda: proc.poll() is not None or status(f"{url}/healthcheck") == 200, message="flower to answer")
    assert proc.poll() is None, proc.log.read_text()

    # then
    assert status(f"{url}/") == 401
    assert status(f"{url}/", "ops:wrong") == 401
    assert status(f"{url}/", "ops:s3cret") == 200
    assert status(f"{url}/metrics") == 200  # Prometheus scrape endpoint


def test_flower_saves_its_state_on_sigterm(start_flower, tmp_path):
    proc, url = start_flower(FLOWER_BASIC_AUTH="ops:s3cret")
    wait_for(lambda: proc.poll() is not None or status(f"{url}/healthcheck") == 200, message="flower to answer")

    proc.terminate()
    proc.wait(timeout=10)

    assert list(tmp_path.glob("flower.db*")), "no persistent state written"


def test_flower_refuses_to_start_without_credentials_when_debug_is_off(start_flower):
    proc, _ = start_flower(DEBUG="false", SECRET_KEY="x" * 50, FLOWER_BASIC_AUTH="")

    proc.wait(timeout=60)

    assert proc.returncode != 0
    assert "FLOWER_BASIC_AUTH" in proc.log.read_text()
