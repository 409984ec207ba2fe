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


class SendError(Exception):
    """The one failure contract of every sender (SMS backends, email): a send failed, and
    `permanent` says whether trying again could help (a bad address or a rejected message
    never will; a timeout, a 429 or a 5xx may). Anything else a backend raises is a bug."""

    permanent = True

    def __init__(self, message="", *, permanent=None):
        super().__init__(message)
        if permanent is not None:
            self.permanent = permanent


class SmsError(SendError):
    """A failed SMS send."""


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
