"""Who a bulk send goes to: validation and normalisation done before anything is enqueued."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Campaign, Contact, Tag, address_field
from .text import batched, normalize_email, normalize_phone, sms_segments

Channel = Campaign.Channel
MAX_LISTED_ERRORS = 200  # invalid entries listed in a 400; the rest are counted
LOOKUP_BATCH = 2000  # values per IN (...) query
SUPPRESSED_SCAN = 5000  # at most this many suppressed addresses are read at once rather than looked up


class AudienceError(Exception):
    """Bad input: `errors` maps field names to messages (DRF's field-error shape)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Audience:
    channel: str
    recipients: list[str] = field(default_factory=list)  # explicit: normalised, unique, reachable
    tag: str = ""
    count: int | None = 0  # None for a tag: counted by the planner
    invalid: int = 0  # skipped (skip_invalid)
    duplicates: int = 0
    excluded: int = 0  # opted out or inactive


def normalizer(channel):
    return normalize_email if channel == Channel.EMAIL else normalize_phone


def resolve_audience(channel, *, recipients=None, tag="", skip_invalid=False) -> Audience:
    """Validate an explicit list or a tag. A tag costs one COUNT query whatever its size."""
    tag = (tag or "").strip()
    if (recipients is None) == (not tag):
        raise AudienceError({"recipients": [_("Give either a list of recipients or a tag, not both.")]})
    if tag:
        return _tag_audience(channel, tag)
    return _list_audience(channel, recipients, skip_invalid)


def too_many(count):
    """Why an audience of `count` recipients is refused (over BULK_MAX_AUDIENCE)."""
    return _("The audience has %(count)d recipients; the maximum is %(max)d.") % {
        "count": count,
        "max": settings.BULK_MAX_AUDIENCE,
    }


def _tag_audience(channel, tag):
    """Constant-time checks, whatever the tag's size: the tag exists, at least one contact
    can receive the message, and the tag is not over the maximum (an index-only probe at
    offset BULK_MAX_AUDIENCE). The exact count is made by the planner in the worker."""
    tag_id = Tag.objects.filter(name=tag).values_list("pk", flat=True).first()
    if tag_id is None:
        raise AudienceError({"tag": [_("There is no tag named “%(tag)s”.") % {"tag": tag}]})
    if not Contact.objects.audience(channel, tag).exists():
        raise AudienceError({"tag": [_("No active, subscribed contact with this tag can receive this message.")]})
    links = Contact.tags.through.objects.filter(tag_id=tag_id).order_by()
    if links[settings.BULK_MAX_AUDIENCE : settings.BULK_MAX_AUDIENCE + 1].exists():
        raise AudienceError(
            {
                "tag": [
                    _("More than %(max)d contacts have this tag; the maximum is %(max)d.")
                    % {"max": settings.BULK_MAX_AUDIENCE}
                ]
            }
        )
    return Audience(channel=channel, tag=tag, count=None)


def _list_audience(channel, raw_list, skip_invalid):
    if not isinstance(raw_list, list):
        raise AudienceError({"recipients": [_("Expected a list of recipients.")]})
    if not raw_list:
        raise AudienceError({"recipients": [_("This list may not be empty.")]})
    if len(raw_list) > settings.BULK_MAX_AUDIENCE:
        raise AudienceError({"recipients": [too_many(len(raw_list))]})
    normalize = normalizer(channel)
    what = _("email address") if channel == Channel.EMAIL else _("phone number")
    seen, invalid = {}, {}
    for index, raw in enumerate(raw_list):
        value = normalize(raw) if isinstance(raw, str) else None
        if value is None:
            invalid[index] = raw
        else:
            seen.setdefault(value, None)
    if invalid and not skip_invalid:
        errors = {
            str(i): [_("“%(value)s” is not a valid %(what)s.") % {"value": str(raw)[:50], "what": what}]
            for i, raw in list(invalid.items())[:MAX_LISTED_ERRORS]
        }
        if len(invalid) > MAX_LISTED_ERRORS:
            errors["more"] = [_("… and %(n)d more invalid entries.") % {"n": len(invalid) - MAX_LISTED_ERRORS}]
        raise AudienceError({"recipients": errors})
    if not seen:
        raise AudienceError({"recipients": [_("None of the recipients is valid.")]})
    suppressed = suppressed_among(channel, list(seen))
    recipients = [r for r in seen if r not in suppressed]
    if not recipients:
        raise AudienceError({"recipients": [_("Every recipient has opted out or is inactive.")]})
    return Audience(
        channel=channel,
        recipients=recipients,
        count=len(recipients),
        invalid=len(invalid),
        duplicates=len(raw_list) - len(invalid) - len(seen),
        excluded=len(suppressed),
    )


def suppressed_among(channel, values) -> set[str]:
    """The values that belong to opted-out or inactive contacts. Those are usually few: when
    a long list meets at most SUPPRESSED_SCAN of them, they are read at once (one scan of a
    small partial index) instead of looking up every value."""
    column = address_field(channel)
    suppressed = Contact.objects.suppressed().exclude(**{column: ""}).order_by().values_list(column, flat=True)
    if len(values) > LOOKUP_BATCH:
        few = list(suppressed[: SUPPRESSED_SCAN + 1])
        if len(few) <= SUPPRESSED_SCAN:
            return set(values).intersection(few)
    found = set()
    for batch in batched(values, LOOKUP_BATCH):
        found.update(suppressed.filter(**{f"{column}__in": batch}))
    return found


def one_line(value: str):
    """A header value (an email subject): no line breaks (they would inject headers)."""
    if "\r" in value or "\n" in value:
        raise ValidationError(_("Line breaks are not allowed here."))


def validate_send_at(value, error=ValidationError):
    """A scheduled send's time: in the future and at most BULK_MAX_SCHEDULE_DAYS ahead."""
    now = timezone.now()
    if value <= now:
        raise error(_("The time to send must be in the future."))
    if value > now + timedelta(days=settings.BULK_MAX_SCHEDULE_DAYS):
        raise error(
            _("The time to send can be at most %(days)d days ahead.") % {"days": settings.BULK_MAX_SCHEDULE_DAYS}
        )
    return value


def validate_body(channel, body: str) -> str:
    """The message body, stripped; the same rules for the API and the form pages."""
    body = (body or "").strip()
    if not body:
        raise AudienceError({"message": [_("The message may not be empty.")]})
    if channel == Channel.SMS:
        check_segments(body)
    return body


def check_segments(text: str):
    """Refuse an SMS longer than SMS_MAX_SEGMENTS parts."""
    encoding, units, segments = sms_segments(text)
    limit = settings.SMS_MAX_SEGMENTS
    if segments > limit:
        raise AudienceError(
            {
                "message": [
                    ngettext(
                        "The message needs %(segments)d SMS parts (%(units)d %(encoding)s characters); "
                        "the maximum is %(limit)d part.",
                        "The message needs %(segments)d SMS parts (%(units)d %(encoding)s characters); "
                        "the maximum is %(limit)d parts.",
                        limit,
                    )
                    % {"segments": segments, "units": units, "encoding": encoding, "limit": limit}
                ]
            }
        )
