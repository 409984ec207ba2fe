"""Personalised messages: `{name}`, `{phone}`, `{email}` in a body or subject, filled per
recipient from their contact. Templates are checked before anything is enqueued (only
plain field names: no attribute or index access, no positional fields, no format specs)
and rendered with str.format_map over a plain dict."""

import string

from django.db.models.functions import Length
from django.utils.translation import gettext as _

from .audience import AudienceError, Channel, check_segments
from .models import Contact, address_field
from .text import batched

FIELDS = ("name", "phone", "email")
LOOKUP_BATCH = 2000


def placeholders(field: str, text: str) -> set[str]:
    """The contact fields `text` uses; AudienceError naming the first bad one."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(text or ""))
    except ValueError:
        raise AudienceError({field: [_("Unbalanced “{” or “}”: write {{ and }} for literal braces.")]}) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise AudienceError(
                {field: [_("Unknown field “%(field)s”; use {name}, {phone} or {email}.") % {"field": shown[:60]}]}
            )
        names.add(name)
    return names


def check_templates(channel, audience, *, body: str, subject: str = "") -> bool:
    """Check the placeholders of body and subject; for SMS, the longest rendered message
    (the audience's longest value of each field used) must fit SMS_MAX_SEGMENTS.
    Returns whether the campaign is personalised."""
    used = placeholders("message", body) | placeholders("subject", subject)
    if not used:  # rendered all the same when it escapes braces ({{ -> {)
        return any(brace in text for text in (body, subject) for brace in "{}")
    if channel == Channel.SMS:
        check_segments(render(body, longest_values(channel, audience, used)))
    return True


def longest_values(channel, audience, fields) -> dict:
    """The longest value of each of `fields` among the audience's contacts."""
    column = address_field(channel)
    longest = dict.fromkeys(FIELDS, "")
    if audience.tag:
        contacts = Contact.objects.audience(channel, audience.tag)
        for f in fields:
            value = contacts.annotate(n=Length(f)).order_by("-n").values_list(f, flat=True).first()
            longest[f] = value or ""
        return longest
    for r in audience.recipients:  # a recipient without a contact: only its own address
        if len(r) > len(longest[column]):
            longest[column] = r
    for batch in batched(audience.recipients, LOOKUP_BATCH):
        for row in Contact.objects.filter(**{f"{column}__in": batch}).values(*fields):
            for f in fields:
                if len(row[f]) > len(longest[f]):
                    longest[f] = row[f]
    return longest


def render(template: str, values: dict, *, one_line=False) -> str:
    """`template` filled with `values` (checked by placeholders() beforehand)."""
    if one_line:  # a subject: no header injection through a contact's name
        values = {k: " ".join(str(v).splitlines()) for k, v in values.items()}
    return template.format_map(values)


class Personaliser:
    """Per-recipient texts of a campaign; contacts loaded once per batch of deliveries."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.column = address_field(campaign.channel)
        self.values = {}

    def load(self, deliveries):
        if not self.campaign.personalised:
            return
        missing = [d.recipient for d in deliveries if d.recipient not in self.values]
        for batch in batched(missing, LOOKUP_BATCH):
            for row in Contact.objects.filter(**{f"{self.column}__in": batch}).order_by("-pk").values(*FIELDS):
                self.values[row[self.column]] = row
        for r in missing:
            self.values.setdefault(r, {**dict.fromkeys(FIELDS, ""), self.column: r})

    def _fields(self, recipient):
        if recipient not in self.values:
            self.load([_Recipient(recipient)])
        return self.values[recipient]

    def body(self, recipient) -> str:
        if not self.campaign.personalised:
            return self.campaign.body
        return render(self.campaign.body, self._fields(recipient))

    def subject(self, recipient) -> str:
        if not self.campaign.personalised:
            return self.campaign.subject
        return render(self.campaign.subject, self._fields(recipient), one_line=True)


class _Recipient:
    def __init__(self, recipient):
        self.recipient = recipient
