"""notifications.ratelimit against the session's real Valkey: several quota windows, the
provider's pause, and the heartbeat callback while waiting."""

import time
import uuid

import pytest

from notifications.ratelimit import PAUSE_REASON, QUOTA_REASON, ProviderWait, RateLimit


def limit(spec, max_wait=0.5):
    return RateLimit(spec, f"test-{uuid.uuid4().hex}", max_wait=max_wait)


def test_every_window_must_allow_a_send():
    # given 100 per second but only 5 per minute
    rate = limit("100/second;5/minute")

    # when 5 are taken, the 6th must wait for the minute window: too long to wait in place
    assert rate.acquire(5)
    with pytest.raises(ProviderWait) as info:
        rate.acquire(1)

    assert info.value.reason == QUOTA_REASON
    assert 50 < info.value.until - time.time() <= 60
    assert rate.max_rate() == pytest.approx(5 / 60)


def test_a_short_wait_happens_in_place_calling_on_wait():
    rate = limit("2/second", max_wait=2)
    calls = []

    assert rate.acquire(2)
    started = time.monotonic()
    assert rate.acquire(2, on_wait=lambda: calls.append(1))

    assert time.monotonic() - started >= 0.5
    assert calls  # the job heartbeats while it waits


def test_on_wait_can_give_up_the_wait():
    rate = limit("1/second", max_wait=2)
    rate.acquire(1)

    assert rate.acquire(1, on_wait=lambda: True) is False


def test_a_pause_holds_every_limiter_of_the_provider():
    key = f"test-{uuid.uuid4().hex}"
    RateLimit("", key).pause(30)

    # another process's limiter for the same provider (no quota windows at all)
    with pytest.raises(ProviderWait) as info:
        RateLimit("", key, max_wait=1).acquire(1)

    assert info.value.reason == PAUSE_REASON
    assert RateLimit("", f"other-{key}").acquire(1)  # other providers are not paused
