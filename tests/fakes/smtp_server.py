"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records every message it receives."""

import email
import threading
from collections import Counter

from aiosmtpd.controller import Controller

from tests.workers import free_port


class RecordingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.received = Counter()  # recipient -> messages
        self.messages = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received[rcpt] += 1
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
