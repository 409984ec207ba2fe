"""Small state every process and host shares, kept in Redis (REDIS_URL, like the
SMS rate limit): counters the metrics endpoint reads (rate-limit waits, reaper
outcomes) and "once per period" marks (alert throttling).

Never in the way of the work: if Redis is unreachable a counter is lost (logged),
not the task."""

import logging
import os

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
COUNTER_PREFIX = "crm:counter:"
ONCE_PREFIX = "crm:once:"
_clients: dict = {}


def client() -> redis.Redis:
    """One client per process and URL (prefork children must not share a connection)."""
    key = (os.getpid(), settings.REDIS_URL)
    if key not in _clients:
        _clients[key] = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    return _clients[key]


def add(counter: str, amount: float = 1) -> None:
    """Add `amount` to a counter shared by every process (INCRBYFLOAT)."""
    if not amount:
        return
    try:
        client().incrbyfloat(COUNTER_PREFIX + counter, amount)
    except redis.RedisError:
        logger.warning("could not add %s to counter %s", amount, counter, exc_info=True)


def counters(names) -> dict:
    """{name: value} of the counters (0 for one never added to). Raises redis.RedisError."""
    names = list(names)
    values = client().mget([COUNTER_PREFIX + n for n in names]) if names else []
    return {n: float(v or 0) for n, v in zip(names, values, strict=True)}


def first_in(key: str, seconds: int) -> bool:
    """True for the first call with `key` in `seconds` (across every process), False after."""
    return bool(client().set(ONCE_PREFIX + key, 1, nx=True, ex=max(int(seconds), 1)))


def forget(key: str) -> None:
    """Let the next first_in(key) be True again."""
    client().delete(ONCE_PREFIX + key)
