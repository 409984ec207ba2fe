"""Keeps sent messages in `outbox` (a list in this process), for unit tests."""

import threading
import uuid

from .base import BaseSmsBackend, SendResult

outbox: list = []
_lock = threading.Lock()


class SmsBackend(BaseSmsBackend):
    name = "locmem"

    def send(self, message):
        with _lock:
            outbox.append(message)
        return SendResult(message_id=f"locmem-{uuid.uuid4().hex[:12]}")
