"""What is waiting in the broker, per queue: the message count from a passive queue
declare (every transport; on Redis it adds up the priority sub-queues), and on Redis
the age of the oldest waiting message, from the `published_at` header every task
message gets when it is sent (ops/signals.py), read from the tail of kombu's list per
priority (the one detail of kombu's own read here, for this figure only). Other
transports (AMQP) keep published times to themselves: backlog only there."""

import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings

from config.celery import app

logger = logging.getLogger(__name__)
PUBLISHED_AT = "published_at"


@dataclass
class QueueStats:
    name: str
    messages: int
    oldest_age: float | None  # seconds; None where the transport cannot tell


def queue_stats() -> list[QueueStats]:
    """Raises the broker's connection errors (the caller decides what a dead broker means)."""
    now = time.time()
    options = {"socket_connect_timeout": 2, "socket_timeout": 5}
    stats = []
    with app.connection_for_read(transport_options=options) as conn:
        conn.ensure_connection(max_retries=1)
        for queue in settings.CELERY_TASK_QUEUES:
            channel = conn.channel()  # a passive declare of a missing queue closes an AMQP channel
            try:
                count = queue.bind(channel).queue_declare(passive=True).message_count
            except conn.channel_errors:  # never declared, or (Redis) empty
                count = 0
            stats.append(QueueStats(queue.name, count, _oldest_age(channel, queue.name, now)))
            try:
                channel.close()
            except conn.channel_errors + conn.connection_errors:
                pass
    return stats


def _redis_queue_keys(channel, queue_name) -> list:
    """The Redis lists holding a queue's messages, one per priority step (kombu's Redis
    transport names them; newest message first in each); [] on other transports. Only this
    ops figure reads them: the reaper asks the broker through a queue declare."""
    if getattr(channel, "client", None) is None or not hasattr(channel, "priority_steps"):
        return []
    return [channel._q_for_pri(queue_name, priority) for priority in channel.priority_steps]


def _oldest_age(channel, queue_name, now):
    keys = _redis_queue_keys(channel, queue_name)
    if not keys:
        return None
    with channel.client.pipeline() as pipe:  # each list's tail (index -1) is its oldest message
        for key in keys:
            pipe.lindex(key, -1)
        published = [_published_at(raw) for raw in pipe.execute() if raw]
    published = [p for p in published if p is not None]
    return max(now - min(published), 0.0) if published else 0.0


def _published_at(raw):
    try:
        value = json.loads(raw)["headers"][PUBLISHED_AT]
        return float(value)
    except (ValueError, KeyError, TypeError):
        return None
