"""The HTTP gateway backend against the fake gateway (a real HTTP server)."""

import pytest

from jobs.tracking import RetryableError
from notifications.backends import PermanentSmsError, RetryableSmsError, SmsMessage, get_sms_backend
from notifications.backends.base import BaseSmsBackend


def backend(gateway, **kwargs):
    return get_sms_backend("http", url=gateway.url, api_key=gateway.api_key, timeout=0.5, **kwargs)


def test_message_is_accepted_and_its_id_returned(gateway):
    result = backend(gateway).send(SmsMessage("+989121234567", "Hi", idempotency_key="k1"))

    assert result.message_id == gateway.keys["k1"]
    assert gateway.accepted == {"+989121234567": 1}


def test_resend_with_the_same_idempotency_key_is_not_delivered_twice(gateway):
    b = backend(gateway)
    first = b.send(SmsMessage("+989121234567", "Hi", idempotency_key="k1"))
    second = b.send(SmsMessage("+989121234567", "Hi", idempotency_key="k1"))

    assert first == second
    assert gateway.accepted == {"+989121234567": 1}


@pytest.mark.parametrize("attr, value", [("failure_rate", 1.0), ("timeout_rate", 1.0), ("rate_limit", -1)])
def test_5xx_timeouts_and_429_are_retryable(gateway, attr, value):
    setattr(gateway, attr, value)
    gateway.hang = 1.0

    with pytest.raises(RetryableSmsError) as info:
        backend(gateway).send(SmsMessage("+989121234567", "Hi", idempotency_key="k"))

    assert isinstance(info.value, RetryableError) and not info.value.permanent


def test_unreachable_gateway_is_retryable():
    b = get_sms_backend("http", url="http://127.0.0.1:9/send", api_key="x", timeout=0.5)
    with pytest.raises(RetryableSmsError):
        b.send(SmsMessage("+989121234567", "Hi"))


@pytest.mark.parametrize("api_key, reject", [("wrong", set()), (None, {"+989121234567"})])
def test_other_4xx_are_permanent(gateway, api_key, reject):
    gateway.reject = reject
    b = get_sms_backend("http", url=gateway.url, api_key=api_key or gateway.api_key, timeout=0.5)

    with pytest.raises(PermanentSmsError):
        b.send(SmsMessage("+989121234567", "Hi"))
    assert gateway.accepted == {}


def test_backend_is_chosen_by_alias_or_dotted_path(settings):
    settings.SMS_BACKEND = "notifications.backends.locmem.SmsBackend"
    assert get_sms_backend().name == "locmem"
    assert get_sms_backend("console").name == "console"
    assert isinstance(get_sms_backend("locmem"), BaseSmsBackend)


def test_429_with_retry_after_carries_it(gateway):
    gateway.throttle_after, gateway.throttle_seconds = 0, 3.0

    with pytest.raises(RetryableSmsError) as info:
        backend(gateway).send(SmsMessage("+989121234567", "Hi", idempotency_key="k"))

    assert info.value.retry_after == 3.0
    assert gateway.accepted == {}
