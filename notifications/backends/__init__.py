"""SMS backends, chosen like Django's email backends by settings.SMS_BACKEND:
`console`, `locmem`, `http` or a dotted path to a BaseSmsBackend subclass."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    BaseSmsBackend,
    PermanentSmsError,
    RetryableSmsError,
    SendError,
    SendResult,
    SmsError,
    SmsMessage,
)

ALIASES = {
    "console": "notifications.backends.console.SmsBackend",
    "locmem": "notifications.backends.locmem.SmsBackend",
    "http": "notifications.backends.http.SmsBackend",
}

__all__ = [
    "BaseSmsBackend",
    "PermanentSmsError",
    "RetryableSmsError",
    "SendError",
    "SendResult",
    "SmsError",
    "SmsMessage",
    "get_sms_backend",
]


def get_sms_backend(backend: str | None = None, **kwargs) -> BaseSmsBackend:
    path = backend or settings.SMS_BACKEND
    return import_string(ALIASES.get(path, path))(**kwargs)
