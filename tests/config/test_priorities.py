"""Celery priorities mean the same on both brokers: 9 most urgent, 0 least, no
priority (CELERY_TASK_DEFAULT_PRIORITY) in the middle. On Redis that takes the
transport in config/brokers.py; RabbitMQ queues are declared with x-max-priority."""

import pytest
from django_celery_results.models import TaskResult

from config.celery import ping
from tests.workers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]


def test_urgent_task_queued_behind_background_ones_runs_first(purge_queues, worker_factory):
    # given background tasks (priority 0) queued first, then a normal one, then an urgent one
    background = [ping.apply_async(priority=0) for _ in range(5)]
    normal = ping.apply_async()
    urgent = ping.apply_async(priority=9)

    # when a worker taking one task at a time starts
    worker_factory(queues="default", pool="solo", concurrency=1)

    # then the urgent task ran first, then the normal one, then the background ones in order
    ids = [r.id for r in [*background, normal, urgent]]
    done = wait_for(
        lambda: (rows := TaskResult.objects.filter(task_id__in=ids, status="SUCCESS")).count() == len(ids) and rows,
        timeout=60,
        message="every task to run",
    )
    order = [row.task_id for row in done.order_by("date_done")]
    assert order == [urgent.id, normal.id, *[r.id for r in background]]
