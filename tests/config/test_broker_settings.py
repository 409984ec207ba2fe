"""CELERY_BROKER_URL, when set, is the broker; REDIS_URL stays the rate limiter's Redis."""

import json
import os
import subprocess
import sys

from tests.workers import BASE_DIR

SHOW = (
    "import json; from django.conf import settings; from config.celery import app; "
    "print(json.dumps([settings.REDIS_URL, settings.CELERY_BROKER_URL, app.conf.broker_transport, "
    "[dict(q.queue_arguments, durable=q.durable) for q in app.conf.task_queues]]))"
)


def settings_with(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_redis_url_is_the_broker_by_default():
    redis_url, broker, transport, queues = settings_with(REDIS_URL="redis://redis.internal:6379/0")

    assert broker == redis_url == "redis://redis.internal:6379/0"
    assert transport == "config.brokers:PriorityRedisTransport"  # 9 most urgent, as on RabbitMQ
    assert queues and all(q == {"x-max-priority": 9, "durable": True} for q in queues)


def test_celery_broker_url_overrides_it_and_redis_stays_for_the_rate_limiter():
    redis_url, broker, transport, queues = settings_with(
        REDIS_URL="redis://redis.internal:6379/0", CELERY_BROKER_URL="amqp://crm:secret@mq.internal:5672/crm"
    )

    assert broker == "amqp://crm:secret@mq.internal:5672/crm"
    assert transport is None  # the URL's own transport
    assert redis_url == "redis://redis.internal:6379/0"
    assert all(q == {"x-max-priority": 9, "durable": True} for q in queues)
