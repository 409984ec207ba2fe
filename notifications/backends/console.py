"""Writes each SMS to stdout (development default)."""

import sys
import threading
import uuid

from .base import BaseSmsBackend, SendResult


class SmsBackend(BaseSmsBackend):
    name = "console"

    def __init__(self, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, message):
        with self._lock:
            self.stream.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
            self.stream.flush()
        return SendResult(message_id=f"console-{uuid.uuid4().hex[:12]}")
