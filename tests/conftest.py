"""Shared fixtures: a real broker for the session, real worker processes,
users and API clients."""

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from config.celery import app
from tests.workers import RabbitVhost, ValkeyProcess, WorkerProcess, use_broker


@pytest.fixture(scope="session", autouse=True)
def broker_url():
    """The session's broker. Redis (the rate limiter, and the broker by default):
    REDIS_URL if set, else a private embedded Valkey. TEST_BROKER_URL=amqp://...
    makes RabbitMQ the broker instead (a private vhost when rabbitmqctl can make
    one), for `pytest -m queue` against RabbitMQ (.ci/run does)."""
    redis_url = os.environ.get("REDIS_URL")
    server = rabbit = None
    if not redis_url:
        server = ValkeyProcess(Path(tempfile.mkdtemp(prefix="test-valkey-"))).start()
        redis_url = server.url
    url = redis_url
    if os.environ.get("TEST_BROKER_URL"):
        rabbit = RabbitVhost(os.environ["TEST_BROKER_URL"]).start()
        url = rabbit.url  # not put in os.environ: Celery reads CELERY_BROKER_URL before any app's own setting
    os.environ["REDIS_URL"] = settings.REDIS_URL = redis_url
    use_broker(url)
    yield url
    if rabbit:
        rabbit.stop()
    if server:
        server.stop()


ONLY_WHEN_ASKED = {
    # needs root, network namespaces and PostgreSQL
    "multihost": "multihost: run it with `pytest -m multihost` (.ci/run does)",
    # ten worker SIGKILLs during one send: minutes
    "chaos": "chaos: run it with `pytest -m chaos` (CI runs it once)",
}


def pytest_collection_modifyitems(config, items):
    """Tests with these markers run only when asked for by marker (`-m multihost`,
    `-m chaos`), as .ci/run does."""
    for marker, reason in ONLY_WHEN_ASKED.items():
        if marker in (config.option.markexpr or ""):
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if item.get_closest_marker(marker):
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def no_job_start_throttle():
    """Tests start many jobs as the same user: the job-start throttle is off unless a test sets it."""
    settings.JOBS_START_RATE = None


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request through LocaleMiddleware leaves
    its language active in the test's thread, and in-process code (the reaper's messages)
    would otherwise speak the language of whichever test ran before."""
    translation.deactivate()
    yield


def purge_all_queues():
    """Drop messages other tests left behind, so a new worker starts on a clean broker."""
    with app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            bound = queue.bind(conn.default_channel)
            bound.declare()  # RabbitMQ: purging a queue nobody declared yet is an error
            bound.purge()


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
