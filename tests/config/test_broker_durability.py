"""Nothing accepted is lost when the broker stops while work is waiting: the
embedded Valkey keeps queued tasks in its append-only file, RabbitMQ in durable
queues (persistent messages)."""

import os
import shutil

import pytest
from django_celery_results.models import TaskResult

from config.brokers import is_redis
from config.celery import app
from tests.workers import ValkeyProcess, forget_broker_connections, rabbitmqctl, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]


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


def queued(url, queue="default") -> int:
    """Messages waiting in `queue` (every priority level), through a fresh connection."""
    with app.connection_for_write(url) as conn:
        return app.amqp.queues[queue].bind(conn.default_channel).queue_declare().message_count


def publish_ping(url):
    with app.connection_for_write(url) as conn:
        return app.send_task("config.ping", connection=conn)


def assert_runs(result):
    row = wait_for(
        lambda: TaskResult.objects.filter(task_id=result.id, status="SUCCESS").first(),
        timeout=60,
        message="the queued task's TaskResult row",
    )
    assert row.result == '"pong"'


def test_task_queued_before_a_broker_restart_runs_after_it(private_valkey, worker_factory):
    # given a task published while no worker runs
    server = private_valkey()
    result = publish_ping(server.url)
    assert queued(server.url) == 1

    # when the broker is stopped and started again on the same data directory
    server.stop()
    server = private_valkey(port=server.port)

    # then the task is still queued, and a worker started now runs it
    assert queued(server.url) == 1
    worker_factory(queues="default", env={"CELERY_BROKER_URL": server.url})
    assert_runs(result)
    assert queued(server.url) == 0


@pytest.fixture
def restartable_rabbitmq(broker_url):
    """The session's RabbitMQ, which this test stops and starts again (rabbitmqctl
    stop_app/start_app). The machine's RabbitMQ may be shared: only when asked for
    (TEST_RABBITMQ_RESTART=1, .ci/run's RabbitMQ leg), and it is always started again."""
    if is_redis(broker_url):
        pytest.skip("the session's broker is Redis: set TEST_BROKER_URL=amqp://... to test RabbitMQ")
    if os.environ.get("TEST_RABBITMQ_RESTART") != "1":
        pytest.skip("restarts the machine's RabbitMQ: set TEST_RABBITMQ_RESTART=1 (.ci/run's RabbitMQ leg does)")
    if os.geteuid() != 0 or not shutil.which("rabbitmqctl"):
        pytest.skip("restarting RabbitMQ needs root and rabbitmqctl")

    def restart():
        try:
            rabbitmqctl("stop_app")
        finally:
            rabbitmqctl("start_app", timeout=120)
            rabbitmqctl("await_startup", timeout=120)
            forget_broker_connections()  # this process's pooled ones died with the broker

    return restart


def test_task_queued_before_a_rabbitmq_restart_runs_after_it(restartable_rabbitmq, broker_url, worker_factory):
    # given a task published to a durable queue while no worker runs
    result = publish_ping(broker_url)
    assert queued(broker_url) == 1

    # when RabbitMQ is stopped and started again
    restartable_rabbitmq()

    # then the task is still queued, and a worker started now runs it
    assert wait_for(lambda: _answers(broker_url), timeout=60, message="RabbitMQ to answer again")
    assert queued(broker_url) == 1
    worker_factory(queues="default")
    assert_runs(result)
    assert queued(broker_url) == 0


def _answers(url) -> bool:
    try:
        queued(url)
        return True
    except Exception:
        return False
