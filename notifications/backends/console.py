"""Logs each SMS as one INFO line (development default)."""

import logging
import uuid

from .base import BaseSmsBackend, SendResult

logger = logging.getLogger(__name__)


class SmsBackend(BaseSmsBackend):
    name = "console"

    def send(self, message):
        # One line per message, whatever the body holds (newlines shown as \n).
        logger.info("SMS to %s: %s", message.to, message.body.replace("\r", "").replace("\n", "\\n"))
        return SendResult(message_id=f"console-{uuid.uuid4().hex[:12]}")
