"""HTML forms for the CRM pages; they apply the same rules as the JSON API."""

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .audience import one_line, resolve_audience, validate_body, validate_send_at
from .models import Campaign, Tag
from .personalise import check_templates

SEPARATORS = re.compile(r"[\n,;]+")


class BulkSendForm(forms.Form):
    channel = None
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line (or separated by commas). Leave empty to send to a tag."),
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("{name}, {phone} and {email} are replaced by each contact's own."),
    )
    skip_invalid = forms.BooleanField(label=_("Skip invalid recipients"), required=False)
    # A native date-time input (local time of TIME_ZONE); static/crm/send-at.js shows the
    # chosen time in the reader's calendar beside it (Jalali in Persian).
    send_at = forms.DateTimeField(
        label=_("Send at (optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "data-send-at": "sendAtDisplay"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("Leave empty to send now. In the CRM's local time."),
    )
    # One per rendered form: a double-clicked submit starts one send, not two.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = Tag.objects.values_list("name", flat=True)
        self.fields["tag"].choices = [("", _("— no tag —"))] + [(n, n) for n in names]

    def recipient_list(self):
        text = self.cleaned_data.get("recipients", "")
        items = [s.strip() for s in SEPARATORS.split(text) if s.strip()]
        return items or None

    def clean_send_at(self):
        value = self.cleaned_data.get("send_at")
        return validate_send_at(value) if value else None

    def audience_and_body(self):
        """(audience, body, personalised); AudienceError for bad input."""
        body = validate_body(self.channel, self.cleaned_data["message"])
        audience = resolve_audience(
            self.channel,
            recipients=self.recipient_list(),
            tag=self.cleaned_data.get("tag", ""),
            skip_invalid=self.cleaned_data.get("skip_invalid", False),
        )
        subject = self.cleaned_data.get("subject", "")
        return audience, body, check_templates(self.channel, audience, body=body, subject=subject)

    def add_audience_errors(self, errors):
        for name, messages in errors.items():
            if isinstance(messages, dict):  # per-entry errors of the list
                messages = [m for entry in messages.values() for m in entry]
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class BulkSmsForm(BulkSendForm):
    channel = Campaign.Channel.SMS


class BulkEmailForm(BulkSendForm):
    channel = Campaign.Channel.EMAIL
    subject = forms.CharField(label=_("Subject"), max_length=200, validators=[one_line])
    html = forms.CharField(label=_("HTML version (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    field_order = ["recipients", "tag", "subject", "message", "html", "skip_invalid", "send_at", "idempotency_key"]


FORMS = {Campaign.Channel.SMS: BulkSmsForm, Campaign.Channel.EMAIL: BulkEmailForm}
