"""`python -m config.valkey`, the broker of `make run`: durable data in its
directory, and on Ctrl-C it stops after its clients, never leaving a server behind."""

import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.workers import BASE_DIR, free_port, wait_for


def answers(client):
    try:
        return client.ping()
    except redis.RedisError:
        return False


@pytest.fixture
def embedded(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(VALKEY_PORT=str(port), VALKEY_DIR=str(tmp_path / "valkey"))
    proc = subprocess.Popen([sys.executable, "-m", "config.valkey"], cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=1, retry=Retry(NoBackoff(), 0))  # one try per call
    wait_for(lambda: answers(client), timeout=15, message="embedded valkey to answer")
    yield proc, client, tmp_path / "valkey"
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    if answers(client):  # a server left behind: shut it down
        try:
            client.shutdown()
        except redis.RedisError:
            pass
    client.close()


def test_on_sigterm_the_broker_waits_for_its_clients_then_stops_cleanly(embedded):
    proc, client, data_dir = embedded
    client.set("queued", "task")

    # when honcho sends SIGTERM while a client (a finishing worker) is connected
    proc.send_signal(signal.SIGTERM)
    time.sleep(1)

    # then the broker still serves it
    assert proc.poll() is None
    assert client.get("queued") == b"task"

    # and stops as soon as the client has left, with its data on disk
    client.close()
    assert proc.wait(timeout=10) == 0
    assert list((data_dir / "appendonlydir").glob("*.aof"))


def test_the_server_does_not_outlive_a_killed_wrapper(embedded):
    proc, client, _ = embedded

    proc.kill()  # what honcho does to a process still alive 5 s after Ctrl-C
    proc.wait()

    client.close()
    wait_for(lambda: not answers(client), timeout=10, message="the server to stop with its wrapper")
