"""Senders: one per channel, both behind one contract.

`run(ids, stop, last_try=...)` claims the ledger rows of `ids` that are still queued,
sends them and records an Outcome per row. A failure is a SendError whose `permanent`
says whether trying again could help (backends raise it; the email sender turns SMTP
replies into it). Anything else a backend raises is a bug: logged with its traceback
and recorded as a permanent failure, never retried into a duplicate.
"""

import logging
import smtplib
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from config.logs import current_job

from .backends import SendError, SmsMessage, get_sms_backend
from .models import Campaign, Delivery
from .personalise import Personaliser
from .ratelimit import provider_limit
from .text import batched

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    delivery: Delivery
    message_id: str = ""
    error: str = ""
    retryable: bool = False

    @property
    def ok(self):
        return not self.error

    @classmethod
    def failed(cls, delivery, exc: Exception) -> "Outcome":
        if not isinstance(exc, SendError):
            logger.exception("sending delivery %s crashed", delivery.pk, exc_info=exc)
        permanent = getattr(exc, "permanent", True) if isinstance(exc, SendError) else True
        return cls(delivery, error=str(exc) or type(exc).__name__, retryable=not permanent)


class SmsSender:
    """Keeps BULK_SEND_CONCURRENCY sends in flight on a small thread pool (I/O bound),
    each batch waiting for the provider's shared rate limit."""

    def __init__(self, campaign, backend=None):
        self.campaign = campaign
        self.texts = Personaliser(campaign)
        self.backend = backend or get_sms_backend()
        self.width = max(settings.BULK_SEND_CONCURRENCY, 1)
        self.rate_limit = provider_limit(self.backend.name)

    def __enter__(self):
        self.backend.open()
        # The sending threads log with the chunk's job id (config/logs.py).
        self.pool = ThreadPoolExecutor(
            max_workers=self.width, thread_name_prefix="sms", initializer=current_job.set, initargs=(current_job.get(),)
        )
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)
        self.backend.close()

    def _send_one(self, delivery):
        body = self.texts.body(delivery.recipient)
        message = SmsMessage(to=delivery.recipient, body=body, idempotency_key=delivery.idempotency_key)
        try:
            return Outcome(delivery, message_id=self.backend.send(message).message_id)
        except Exception as exc:  # every error is recorded on the row, never lost
            return Outcome.failed(delivery, exc)

    def run(self, ids, stop, *, last_try=False) -> bool:
        """Send the rows of `ids` still queued, keeping `width` sends in flight: rows are
        claimed `width` at a time as room frees up, and outcomes recorded in batches.
        Returns True if it stopped early (job cancelled or finished, or out of time)."""
        # Rows claimed ahead of a free thread keep the pool busy; a crash leaves them in
        # "sending", which costs a resend when the provider dedupes, else an "outcome unknown".
        window = self.width * (2 if self.backend.supports_idempotency else 1)
        pending, in_flight, done, stopped = deque(ids), set(), [], False
        while in_flight or (pending and not stopped):
            if pending and not stopped and len(in_flight) < window:
                if stop():
                    stopped = True
                    continue
                batch = [pending.popleft() for _ in range(min(self.width, len(pending)))]
                # The provider's limit, shared by every worker; waiting heartbeats and can be stopped.
                if self.rate_limit and not self.rate_limit.acquire(len(batch), on_wait=stop):
                    stopped = True
                    continue
                claimed = Delivery.objects.claim(batch)
                self.texts.load(claimed)
                in_flight.update(self.pool.submit(self._send_one, d) for d in claimed)
                continue
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            done.extend(f.result() for f in finished)
            if len(done) >= self.width or not in_flight:
                Delivery.objects.record(done, last_try=last_try)
                done = []
                stop.progress()
        Delivery.objects.record(done, last_try=last_try)
        return stopped


class EmailSender:
    """Plain text + optional HTML through Django's email backend, one connection per chunk."""

    claim_size = 10

    def __init__(self, campaign):
        self.campaign = campaign
        self.texts = Personaliser(campaign)

    def __enter__(self):
        self.connection = get_connection()
        return self

    def __exit__(self, *exc):
        try:
            self.connection.close()
        except Exception:  # a broken connection must not hide the chunk's outcome
            logger.warning("closing the email connection failed", exc_info=True)

    def run(self, ids, stop, *, last_try=False) -> bool:
        for batch in batched(ids, self.claim_size):
            if stop():
                return True
            claimed = Delivery.objects.claim(batch)
            self.texts.load(claimed)
            outcomes = [self._send_one(d) for d in claimed]
            Delivery.objects.record(outcomes, last_try=last_try)
            stop.progress()
        return False

    def _send_one(self, delivery):
        msg = self._message(delivery)
        try:
            try:
                self.connection.open()  # no-op while open: one connection for the whole chunk
                msg.send()
            except (smtplib.SMTPException, OSError) as exc:
                raise smtp_send_error(exc) from exc
        except SendError as exc:
            if not exc.permanent:  # the connection may be broken: a fresh one for the next row
                self._reconnect()
            return Outcome.failed(delivery, exc)
        return Outcome(delivery, message_id=msg.extra_headers["Message-ID"])

    def _message(self, delivery):
        c = self.campaign
        to = delivery.recipient
        msg = EmailMultiAlternatives(self.texts.subject(to), self.texts.body(to), settings.DEFAULT_FROM_EMAIL, [to])
        msg.extra_headers["Message-ID"] = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None)
        if c.html:
            msg.attach_alternative(c.html, "text/html")
        msg.connection = self.connection
        return msg

    def _reconnect(self):
        try:
            self.connection.close()
        except Exception:
            pass
        self.connection = get_connection()


def smtp_send_error(exc) -> SendError:
    """An SMTP failure in the contract: refused recipients or sender are permanent, a 4xx
    reply is transient, a 5xx permanent; timeouts and broken connections are transient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return SendError(f"SMTP {code}: {_text(text)}", permanent=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        permanent = isinstance(exc, smtplib.SMTPSenderRefused) or not 400 <= exc.smtp_code < 500
        return SendError(f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}", permanent=permanent)
    return SendError(f"{type(exc).__name__}: {exc}", permanent=False)


def _text(value):
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def sender_for(campaign, backend=None):
    if campaign.channel == Campaign.Channel.EMAIL:
        return EmailSender(campaign)
    return SmsSender(campaign, backend)
