"""The SMS backend interface and its error types."""

from dataclasses import dataclass

from jobs.tracking import RetryableError


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str
    idempotency_key: str = ""


@dataclass(frozen=True)
class SendResult:
    message_id: str = ""


class SmsError(Exception):
    """A send failed; `permanent` says whether trying again could help."""

    permanent = True


class PermanentSmsError(SmsError):
    """Rejected for good (bad number, bad request, auth): never retried."""


class RetryableSmsError(SmsError, RetryableError):
    """Transient (rate limited, provider down, timeout): retried with backoff."""

    permanent = False


class BaseSmsBackend:
    """Subclasses implement send(); it returns a SendResult or raises an SmsError.

    `supports_idempotency`: the provider recognises a resend with the same
    idempotency key, so a message caught mid-send by a crash can be sent again
    safely; without it, such a message is marked failed ("outcome unknown").
    `name` identifies the provider for the shared rate limit. Instances may be
    used from several threads at once.
    """

    supports_idempotency = False
    name = "sms"

    def __init__(self, fail_silently=False, **kwargs):
        self.fail_silently = fail_silently

    def open(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, message: SmsMessage) -> SendResult:
        raise NotImplementedError
