"""A provider's limits, shared by every worker process and host (in Redis):

- its quota windows (SMS_RATE_LIMIT, several separated by ";", e.g. "50/second;100000/day"),
  each a moving window of the `limits` library, all of which must allow a send;
- a per-second window ("N/second") held as an even pace instead (GCRA, one Redis script):
  a send every 1/N s, a batch at a time. As a moving window it was taken in a burst at the
  start of each second: every waiting sender woke when the oldest sends expired, so the
  burst repeated and a small send arriving between bursts waited about half a second. A
  sender of the high lane may run `ahead` sends ahead of the pace (its in-flight window,
  at most MAX_LEAD_MS), so it is not kept behind the bulk senders waiting for the same turn;
- a pause the provider asked for (a 429 with Retry-After), a key with a TTL that every
  worker checks before sending.

A short wait happens in place (on_wait is called at least once a second meanwhile, so the
job keeps its heartbeat); a wait longer than BULK_QUOTA_MAX_WAIT raises ProviderWait, and
the chunk hands itself back with a countdown instead of holding a worker.
"""

import os
import random
import time

from django.conf import settings
from django.utils.translation import gettext_noop

from config import sharedstate

# Shown as the job's waitReason (translated at display; %(time)s is filled in there).
QUOTA_REASON = gettext_noop("Waiting for the provider's quota until %(time)s")
PAUSE_REASON = gettext_noop("The provider asked to slow down; waiting until %(time)s")


class ProviderWait(Exception):
    """No send is allowed before `until` (epoch seconds), for `reason` (a msgid)."""

    def __init__(self, until: float, reason: str):
        super().__init__(f"provider unavailable until {until:.1f}")
        self.until, self.reason = until, reason


# The pace's schedule: KEYS[1] holds the time (ms, the server's clock) at which the next send
# is due. A request for ARGV[2] sends `ARGV[3]` ms ahead of schedule at most is granted (0) and
# moves the schedule on by ARGV[1] ms per send; otherwise the answer is the ms to wait. A
# schedule that fell behind (its senders woke a little late) keeps up to one such request of
# lost time, so oversleeping does not cost throughput; one left idle for a second is gone.
PACE_SCRIPT = """
local now = redis.call('TIME')
now = now[1] * 1000 + now[2] / 1000
local interval, cost, ahead = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local due = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now - interval * cost)
if due - now > ahead then return math.ceil(due - now - ahead) end
due = due + interval * cost
redis.call('SET', KEYS[1], tostring(due), 'PX', math.ceil(due - now) + 1000)
return 0
"""


# The high lane runs ahead of the pace by at most this much time (ms): a tenth of the
# per-second window, however few sends that window allows.
MAX_LEAD_MS = 100


class RateLimit:
    _clients: dict = {}

    def __init__(self, spec: str, key: str, max_wait=None):
        from limits import parse_many

        # Shortest window first: a send waits for the per-second pace in place, and only a long
        # window that is exhausted stops it.
        self.items = sorted(parse_many(spec), key=lambda item: item.get_expiry()) if spec.strip() else []
        # A per-second window is held as a pace: ms between two sends (None: not paced).
        self.interval = min((1000 / item.amount for item in self.items if item.get_expiry() <= 1), default=None)
        self.windows = [item for item in self.items if item.get_expiry() > 1]  # quotas: moving windows
        self.key = key
        self._paused_here = 0.0
        self.max_wait = settings.BULK_QUOTA_MAX_WAIT if max_wait is None else max_wait

    def _client(self, kind):
        pid = os.getpid()  # one Redis client per process (prefork children must not share one)
        if (pid, kind) not in self._clients:
            if kind == "limiter":
                from limits.storage import storage_from_string
                from limits.strategies import MovingWindowRateLimiter

                client = MovingWindowRateLimiter(storage_from_string(settings.REDIS_URL))
            else:
                import redis

                client = redis.Redis.from_url(settings.REDIS_URL)
                if kind == "pace":
                    client = client.register_script(PACE_SCRIPT)
            self._clients[(pid, kind)] = client
        return self._clients[(pid, kind)]

    @property
    def limiter(self):
        return self._client("limiter")

    @property
    def pace_key(self):
        return f"bulk-send:pace:{self.key}"

    @property
    def pause_key(self):
        return f"bulk-send:paused:{self.key}"

    def pause(self, seconds: float):
        """Hold every worker's sends to this provider for `seconds` (a 429 Retry-After)."""
        seconds = max(float(seconds), 0.001)
        until = time.time() + seconds
        self._paused_here = max(self._paused_here, until)
        self._client("redis").set(self.pause_key, repr(until), px=int(seconds * 1000))

    def held_for(self) -> float:
        """Seconds left of a pause this limit set itself (no Redis call: for every send)."""
        return self._paused_here - time.time()

    def paused_until(self) -> float:
        value = self._client("redis").get(self.pause_key)
        return float(value) if value else 0.0

    def max_rate(self) -> float | None:
        """The sustained sends per second the windows allow (the tightest), or None."""
        rates = [item.amount / item.get_expiry() for item in self.items]
        return min(rates) if rates else None

    def acquire(self, n=1, on_wait=None, ahead=0) -> bool:
        """Take n sends from the pace and every window. Waits in place up to `max_wait` at a time, calling
        `on_wait()` at least once a second (a truthy answer gives up: returns False); a longer
        wait raises ProviderWait. Taken in parts of at most the smallest window's amount; may
        run `ahead` sends ahead of the pace (the high lane)."""
        self._on_wait, self._last_on_wait, self._waited = on_wait, time.monotonic(), 0.0
        try:
            while n > 0:
                if not self._wait(self.paused_until(), PAUSE_REASON, pause=0):
                    return False
                cost = min([n] + [item.amount for item in self.items])
                if self.interval is not None and not self._keep_pace(cost, ahead):
                    return False
                for item in self.windows:
                    while not self.limiter.hit(item, "bulk-send", self.key, cost=cost):
                        reset = self.limiter.get_window_stats(item, "bulk-send", self.key).reset_time
                        if not self._wait(reset, QUOTA_REASON):
                            return False
                n -= cost
            return True
        finally:
            if self._waited:
                sharedstate.add("sms_rate_limit_wait_seconds", self._waited)  # the metrics endpoint's counter

    def _keep_pace(self, cost, ahead) -> bool:
        """Wait for `cost` sends' turn at the even pace; False if on_wait gave up."""
        pace, lead_ms = self._client("pace"), min(ahead * self.interval, MAX_LEAD_MS)
        while wait_ms := pace(keys=[self.pace_key], args=[self.interval, cost, lead_ms]):
            if not self._wait(time.time() + wait_ms / 1000, QUOTA_REASON):
                return False
        return True

    def _wait(self, until, reason, pause=0.001) -> bool:
        """Sleep until `until` (epoch), at least `pause`, if it is near; raise ProviderWait if it
        is not. Calls on_wait every 0.1 s of waiting (a chunk's time slice ends on time; the
        job heartbeats); False if it asked to give up."""
        left = until - time.time()
        if left > self.max_wait:
            raise ProviderWait(until, reason)
        deadline = time.monotonic() + max(left, pause)
        while (left := deadline - time.monotonic()) > 0:
            pause = min(left, 0.05) + random.uniform(0, 0.002)
            time.sleep(pause)
            self._waited += pause
            if self._on_wait is not None and time.monotonic() - self._last_on_wait >= 0.1:
                self._last_on_wait = time.monotonic()
                if self._on_wait():
                    return False
        return True


def provider_limit(key: str) -> RateLimit:
    """The shared limits of the provider `key`: SMS_RATE_LIMIT's windows (none when empty)
    and the provider's own pause requests."""
    return RateLimit(settings.SMS_RATE_LIMIT, key)
