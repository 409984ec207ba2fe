"""Senders: one per channel, both behind one contract.

`run(ids, stop, last_try=...)` claims the ledger rows of `ids` that are still queued,
sends them and records an Outcome per row. A failure is a SendError whose `permanent`
says whether trying again could help (backends raise it; the email sender turns SMTP
replies into it). Anything else a backend raises is a bug: logged with its traceback
and recorded as a permanent failure, never retried into a duplicate.
"""

import logging
import queue
import smtplib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from config.logs import current_job

from .backends import SendError, SmsMessage, get_sms_backend
from .models import Campaign, Delivery
from .personalise import Personaliser
from .ratelimit import ProviderWait, provider_limit
from .text import batched

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    delivery: Delivery
    message_id: str = ""
    error: str = ""
    retryable: bool = False
    retry_after: float | None = None  # the provider asked to hold off (429): handed back, not a failure

    @property
    def ok(self):
        return not self.error

    @classmethod
    def failed(cls, delivery, exc: Exception) -> "Outcome":
        if not isinstance(exc, SendError):
            logger.exception("sending delivery %s crashed", delivery.pk, exc_info=exc)
        permanent = getattr(exc, "permanent", True) if isinstance(exc, SendError) else True
        retry_after = getattr(exc, "retry_after", None)
        return cls(delivery, error=str(exc) or type(exc).__name__, retryable=not permanent, retry_after=retry_after)


class SmsSender:
    """Keeps BULK_SEND_CONCURRENCY sends in flight on a small thread pool (I/O bound),
    each batch waiting for the provider's shared limits. When they allow nothing for
    longer than BULK_QUOTA_MAX_WAIT, it stops with `wait` set (a ProviderWait)."""

    def __init__(self, campaign, backend=None):
        self.campaign = campaign
        self.texts = Personaliser(campaign)
        self.backend = backend or get_sms_backend()
        self.width = max(settings.BULK_SEND_CONCURRENCY, 1)
        self.rate_limit = provider_limit(self.backend.name)
        # The high lane may run its in-flight window ahead of the bulk senders' pace.
        priority = getattr(campaign.job, "priority", None) or 0
        self.ahead = 2 * self.width if priority >= settings.JOBS_PRIORITY_HIGH else 0
        self.wait = None

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
        if (left := self.rate_limit.held_for()) > 0:  # sends already in the pool hold back too
            return Outcome(delivery, error="held back", retry_after=left)
        body = self.texts.body(delivery.recipient)
        message = SmsMessage(to=delivery.recipient, body=body, idempotency_key=delivery.idempotency_key)
        try:
            return Outcome(delivery, message_id=self.backend.send(message).message_id)
        except Exception as exc:  # every error is recorded on the row, never lost
            outcome = Outcome.failed(delivery, exc)
            if outcome.retry_after is not None:
                # Paused at once, before this thread sends again: no worker sends during the pause.
                self.rate_limit.pause(outcome.retry_after)
            return outcome

    def run(self, ids, stop, *, last_try=False) -> bool:
        """Send the rows of `ids` still queued, keeping `width` sends in flight: rows are
        claimed `width` at a time as room frees up, and outcomes recorded in batches.
        Returns True if it stopped early (job cancelled or finished, or out of time)."""
        # Rows claimed ahead of a free thread keep the pool busy; a crash leaves them in
        # "sending", which costs a resend when the provider dedupes, else an "outcome unknown".
        window = self.width * (2 if self.backend.supports_idempotency else 1)
        finished = queue.SimpleQueue()  # sends in the order they finish (one put each, no polling)
        pending, in_flight, done, stopped = deque(ids), 0, [], False
        while in_flight or (pending and not stopped):
            if pending and not stopped and in_flight < window:
                if stop():
                    stopped = True
                    continue
                batch = [pending.popleft() for _ in range(min(self.width, len(pending)))]
                if not self._acquire(len(batch), stop):
                    stopped = True
                    continue
                claimed = Delivery.objects.claim(batch)
                self.texts.load(claimed)
                for delivery in claimed:
                    self.pool.submit(self._send_one, delivery).add_done_callback(finished.put)
                in_flight += len(claimed)
                continue
            done.append(finished.get().result())
            in_flight -= 1
            if len(done) >= self.width or not in_flight:
                self._record(done, last_try)
                done = []
                stop.progress()
        self._record(done, last_try)
        return stopped

    def _acquire(self, n, stop) -> bool:
        """The provider's limits, shared by every worker: wait for n sends, heartbeating (and
        checking for cancellation) meanwhile. False when the chunk must stop."""
        try:
            return self.rate_limit.acquire(n, on_wait=stop, ahead=self.ahead)
        except ProviderWait as wait:
            self.wait = wait
            return False

    def _record(self, outcomes, last_try):
        """Outcomes onto the ledger; sends the provider held back (429 Retry-After, already
        paused in _send_one) go back to queued without using up an attempt."""
        if held := [o for o in outcomes if o.retry_after is not None]:
            Delivery.objects.requeue([o.delivery for o in held])
        Delivery.objects.record([o for o in outcomes if o.retry_after is None], last_try=last_try)


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
