"""Broker choice: Redis/Valkey (default) or RabbitMQ, with the same priority meaning.

Celery's priorities mean "higher is more urgent" on RabbitMQ (0-9 with
x-max-priority). kombu's Redis transport keeps one list per priority step and
serves step 0 first, so a bare `priority=9` would run *last* on Redis. The
transport below flips the number on the way into (and back out of) the lists,
so `apply_async(priority=9)` is the most urgent and 0 the least on both brokers.
"""

from kombu.transport import redis


class PriorityRedisChannel(redis.Channel):
    def _get_message_priority(self, message, reverse=False):
        return super()._get_message_priority(message, reverse=not reverse)


class PriorityRedisTransport(redis.Transport):
    Channel = PriorityRedisChannel


REDIS_TRANSPORT = "config.brokers:PriorityRedisTransport"


def is_redis(url: str) -> bool:
    return url.split("://", 1)[0] in ("redis", "rediss")


def transport_for(url: str) -> str | None:
    """CELERY_BROKER_TRANSPORT for a broker URL: ours for Redis, else the URL's scheme."""
    return REDIS_TRANSPORT if is_redis(url) else None
