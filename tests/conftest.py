"""Shared fixtures: a real broker for the session, real worker processes,
users and API clients."""

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from config.celery import app
from tests.workers import ValkeyProcess, WorkerProcess


@pytest.fixture(scope="session", autouse=True)
def broker_url():
    """The session's broker: REDIS_URL if set, else a private embedded Valkey."""
    url = os.environ.get("REDIS_URL")
    server = None
    if not url:
        server = ValkeyProcess(Path(tempfile.mkdtemp(prefix="test-valkey-"))).start()
        url = server.url
    os.environ["REDIS_URL"] = url
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    app.conf.broker_url = url
    yield url
    if server:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def no_job_start_throttle():
    """Tests start many jobs as the same user: the job-start throttle is off unless a test sets it."""
    settings.JOBS_START_RATE = None


def purge_all_queues():
    """Drop messages other tests left behind, so a new worker starts on a clean broker."""
    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, broker_url):
    """A Celery worker process consuming every queue, shared by a test module.

    Tests using it need `@pytest.mark.django_db(transaction=True)` so their rows
    are committed and visible to the worker."""
    purge_all_queues()
    with django_db_blocker.unblock():
        proc = WorkerProcess().start()
    yield proc
    proc.stop()


@pytest.fixture
def worker_factory(django_db_setup, django_db_blocker, broker_url):
    """Start workers with custom options (kill them to simulate crashes)."""
    purge_all_queues()
    started = []

    def start(**kwargs):
        with django_db_blocker.unblock():
            proc = WorkerProcess(**kwargs).start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop(timeout=10)


@pytest.fixture
def purge_queues(broker_url):
    """Empty every queue before a test that counts what is in the broker."""
    purge_all_queues()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.com", "alice-password")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.com", "bob-password")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staff", "staff@example.com", "staff-password", is_staff=True)


@pytest.fixture
def alice_client(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def bob_client(bob):
    client = APIClient()
    client.force_authenticate(bob)
    return client
