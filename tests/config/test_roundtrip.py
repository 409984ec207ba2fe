"""A task enqueued from Django runs on a real worker process, through the real
broker, and its result lands in the database (django-celery-results)."""

import pytest
from django.db import transaction
from django_celery_results.models import TaskResult

from config.celery import app
from tests.workers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]


def stored_result(task_id):
    return TaskResult.objects.filter(task_id=task_id, status="SUCCESS").first()


def test_task_result_is_stored_as_a_task_result_row(worker):
    # when
    result = app.send_task("config.ping")

    # then
    row = wait_for(lambda: stored_result(result.id), timeout=30, message="the ping's TaskResult row")
    assert row.task_name == "config.ping"
    assert row.result == '"pong"'
    assert row.worker and row.worker.startswith("test-")
    assert result.get(timeout=5) == "pong"


def test_task_enqueued_in_a_transaction_is_sent_after_commit(worker):
    # given a task enqueued on commit inside a transaction
    sent = []
    with transaction.atomic():
        transaction.on_commit(lambda: sent.append(app.send_task("config.ping")))
        # then nothing is in the broker before the commit
        assert sent == []

    # and after the commit it runs and its result is stored
    row = wait_for(lambda: stored_result(sent[0].id), timeout=30, message="the ping's TaskResult row")
    assert row.result == '"pong"'
