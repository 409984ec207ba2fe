"""A provider's rate limit, shared by every worker process and host (a moving window in Redis)."""

import os
import random
import time

from django.conf import settings

from config import sharedstate


class RateLimit:
    _limiters: dict = {}

    def __init__(self, spec: str, key: str):
        from limits import parse

        self.item = parse(spec)
        self.key = key

    @property
    def limiter(self):
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        pid = os.getpid()  # one Redis client per process (prefork children must not share one)
        if pid not in self._limiters:
            self._limiters[pid] = MovingWindowRateLimiter(storage_from_string(settings.REDIS_URL))
        return self._limiters[pid]

    def acquire(self, n=1, on_wait=None) -> bool:
        """Block until n more sends are allowed. Taken in parts of at most the limit's
        amount, by one thread per process, so waiting costs few Redis calls. While it
        waits, `on_wait()` is called at least once a second (the job's heartbeat); if it
        returns True the wait is abandoned and acquire returns False."""
        limiter, waited = self.limiter, 0.0
        last_call = time.monotonic()
        while n > 0:
            cost = min(n, self.item.amount)
            while not limiter.hit(self.item, "bulk-send", self.key, cost=cost):
                if on_wait is not None and time.monotonic() - last_call >= 0.5:
                    last_call = time.monotonic()
                    if on_wait():
                        sharedstate.add("sms_rate_limit_wait_seconds", waited)
                        return False
                reset = limiter.get_window_stats(self.item, "bulk-send", self.key).reset_time
                pause = min(max(reset - time.time(), 0.001), 0.05) + random.uniform(0, 0.002)
                time.sleep(pause)
                waited += pause
            n -= cost
        sharedstate.add("sms_rate_limit_wait_seconds", waited)  # the metrics endpoint's counter
        return True


def provider_limit(key: str) -> RateLimit | None:
    """The shared limit of SMS_RATE_LIMIT for the provider `key`, or None when unlimited."""
    spec = settings.SMS_RATE_LIMIT.strip()
    return RateLimit(spec, key) if spec else None
