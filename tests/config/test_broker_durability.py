"""The embedded Valkey keeps queued tasks across a restart (append-only file):
nothing accepted is lost when the broker stops while work is waiting."""

import pytest
import redis
from django_celery_results.models import TaskResult

from config.celery import app
from tests.workers import ValkeyProcess, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def private_valkey(tmp_path):
    servers = []

    def start(port=None):
        server = ValkeyProcess(tmp_path / "valkey", port=port).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def queued(url, queue="default"):
    return redis.Redis.from_url(url).llen(queue)


def test_task_queued_before_a_broker_restart_runs_after_it(private_valkey, worker_factory):
    # given a task published while no worker runs
    server = private_valkey()
    with app.connection_for_write(server.url) as conn:
        result = app.send_task("config.ping", connection=conn)
    assert queued(server.url) == 1

    # when the broker is stopped and started again on the same data directory
    server.stop()
    server = private_valkey(port=server.port)

    # then the task is still queued, and a worker started now runs it
    assert queued(server.url) == 1
    worker_factory(queues="default", env={"REDIS_URL": server.url})
    row = wait_for(
        lambda: TaskResult.objects.filter(task_id=result.id, status="SUCCESS").first(),
        timeout=30,
        message="the queued task's TaskResult row",
    )
    assert row.result == '"pong"'
    assert queued(server.url) == 0
