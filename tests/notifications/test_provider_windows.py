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


def test_a_per_second_window_is_taken_at_an_even_pace_not_in_a_burst():
    # given 100 per second (one send every 10 ms), taken by two limiters of the provider
    key = f"test-{uuid.uuid4().hex}"
    senders = [RateLimit("100/second", key, max_wait=1) for _ in range(2)]

    # when they take 40 sends, a batch of 8 at a time in turn
    times = []
    for i in range(5):
        assert senders[i % 2].acquire(8)
        times.append(time.monotonic())

    # then each batch waited for the previous one's 80 ms: 0.32 s for 4 batches after the
    # first, where a moving window alone would have let all 40 through at once
    assert times[-1] - times[0] >= 0.3


def test_the_high_lane_runs_ahead_of_the_bulk_senders_pace():
    # given a bulk sender that took its turn at 100 per second: the next send is due in 80 ms
    key = f"test-{uuid.uuid4().hex}"
    bulk, high = RateLimit("100/second", key, max_wait=2), RateLimit("100/second", key, max_wait=2)
    assert bulk.acquire(8)

    # when the high lane asks for 8, its window of 16 ahead of the pace, it need not wait
    started = time.monotonic()
    assert high.acquire(8, ahead=16)
    assert time.monotonic() - started < 0.05
    # while bulk waits for both batches' turns (160 ms from the first)
    assert bulk.acquire(2)
    assert time.monotonic() - started >= 0.12
