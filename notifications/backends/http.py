"""An HTTP SMS gateway: JSON POST per message with an API key and an Idempotency-Key.

    POST {SMS_GATEWAY_URL}   X-API-Key: ...   Idempotency-Key: ...
    {"to": "+989121234567", "message": "..."}  ->  2xx {"id": "..."}

429, 5xx, timeouts and connection errors are retryable; any other 4xx is permanent. A 429
with Retry-After (seconds or an HTTP date) carries it, so every worker pauses that long.
Connections are pooled per process and shared by the sending threads.
"""

import json
import threading
import time
from email.utils import parsedate_to_datetime

import urllib3
from django.conf import settings

from .base import BaseSmsBackend, PermanentSmsError, RetryableSmsError, SendResult

_pools: dict = {}
_pools_lock = threading.Lock()


def _pool(maxsize: int) -> urllib3.PoolManager:
    with _pools_lock:
        if maxsize not in _pools:
            _pools[maxsize] = urllib3.PoolManager(num_pools=4, maxsize=maxsize, block=False, retries=False)
        return _pools[maxsize]


class SmsBackend(BaseSmsBackend):
    supports_idempotency = True

    def __init__(self, url=None, api_key=None, timeout=None, **kwargs):
        super().__init__(**kwargs)
        self.url = url or settings.SMS_GATEWAY_URL
        self.api_key = api_key if api_key is not None else settings.SMS_GATEWAY_API_KEY
        self.timeout = urllib3.Timeout(total=timeout or settings.SMS_GATEWAY_TIMEOUT)
        self.http = _pool(max(settings.BULK_SEND_CONCURRENCY, 1))
        self.name = f"http:{self.url}"

    def send(self, message):
        if not self.url:
            raise PermanentSmsError("SMS_GATEWAY_URL is not set.")
        headers = {"Content-Type": "application/json", "X-API-Key": self.api_key}
        if message.idempotency_key:
            headers["Idempotency-Key"] = message.idempotency_key
        body = json.dumps({"to": message.to, "message": message.body}).encode()
        try:
            response = self.http.request("POST", self.url, body=body, headers=headers, timeout=self.timeout)
        except urllib3.exceptions.TimeoutError as exc:
            raise RetryableSmsError("The SMS gateway timed out.") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise RetryableSmsError(f"The SMS gateway is unreachable ({type(exc).__name__}).") from exc
        status = response.status
        if status == 429 and (retry_after := _retry_after(response.headers.get("Retry-After"))) is not None:
            raise RetryableSmsError(
                f"The SMS gateway answered 429 (retry after {retry_after:g}s).", retry_after=retry_after
            )
        if status == 429 or status >= 500:
            raise RetryableSmsError(f"The SMS gateway answered {status}.")
        if status >= 400:
            raise PermanentSmsError(f"The SMS gateway rejected the message ({status}): {_detail(response)}")
        try:
            data = response.json()
        except ValueError:
            data = {}
        return SendResult(message_id=str(data.get("id", "")) if isinstance(data, dict) else "")


def _retry_after(value) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _detail(response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.data[:200].decode(errors="replace")
    return str(data.get("error", data) if isinstance(data, dict) else data)[:200]
