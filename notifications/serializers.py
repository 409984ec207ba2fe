"""Bulk-send requests: shape checks here, audience and body rules in notifications.audience."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .audience import AudienceError, one_line, resolve_audience, validate_body, validate_send_at
from .models import Campaign, Delivery
from .personalise import check_templates

OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


class BulkSendSerializer(serializers.Serializer):
    channel = None
    # A plain JSON value checked in notifications.audience (a list of strings): per-item
    # serializer fields would cost more than the validation itself on 100,000 numbers.
    recipients = serializers.JSONField(required=False, help_text=_("A list of phone numbers or email addresses."))
    tag = serializers.CharField(required=False, allow_blank=True, max_length=50)
    message = serializers.CharField(allow_blank=True, trim_whitespace=True)
    skip_invalid = serializers.BooleanField(required=False, default=False)
    urgent = serializers.BooleanField(
        required=False, default=False, help_text=_("Go ahead of bulk sends (staff only), like a small send.")
    )

    def validate_urgent(self, value):
        user = self.context.get("user")
        if value and not (user and user.is_staff):
            raise serializers.ValidationError(_("Only staff may mark a send urgent."))
        return value

    sendAt = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Send later: ISO 8601 with a UTC offset, in the future, at most BULK_MAX_SCHEDULE_DAYS ahead."),
    )

    def validate_sendAt(self, value):  # noqa: N802
        if value is None:
            return None
        if not _has_offset(self.initial_data.get("sendAt")):
            raise serializers.ValidationError(_("Give the time with its UTC offset, e.g. 2025-01-31T09:00:00+03:30."))
        return validate_send_at(value, serializers.ValidationError)

    def validate(self, attrs):
        try:
            attrs["body"] = validate_body(self.channel, attrs.get("message", ""))
            attrs["audience"] = resolve_audience(
                self.channel,
                recipients=attrs.get("recipients"),
                tag=attrs.get("tag", ""),
                skip_invalid=attrs.get("skip_invalid", False),
            )
            attrs["personalised"] = check_templates(
                self.channel, attrs["audience"], body=attrs["body"], subject=attrs.get("subject", "")
            )
        except AudienceError as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return attrs


class BulkSmsSerializer(BulkSendSerializer):
    channel = Campaign.Channel.SMS


class BulkEmailSerializer(BulkSendSerializer):
    channel = Campaign.Channel.EMAIL
    subject = serializers.CharField(max_length=200, validators=[one_line])
    html = serializers.CharField(required=False, allow_blank=True, default="")


def _has_offset(raw) -> bool:
    """An ISO 8601 time ending in an offset (+03:30, -0500)."""
    return isinstance(raw, str) and bool(OFFSET.search(raw.strip()))


class RetryFailedSerializer(serializers.Serializer):
    includeUnknown = serializers.BooleanField(
        required=False, default=False, help_text=_("Also resend recipients whose outcome is unknown.")
    )


SERIALIZERS = {Campaign.Channel.SMS: BulkSmsSerializer, Campaign.Channel.EMAIL: BulkEmailSerializer}


class LedgerCount(serializers.IntegerField):
    """How many of the campaign's deliveries the field's name counts: its key in
    `counts` in the context (DeliveryQuerySet.status_counts), 0 when absent."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, campaign):
        return self.context["counts"].get(self.field_name, 0)


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign's outcome: what, when, and its ledger's counts (`counts` in the context)."""

    jobId = serializers.IntegerField(source="job_id", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    sendAt = serializers.DateTimeField(source="send_at", allow_null=True)
    retryOf = serializers.IntegerField(source="retry_of_id", allow_null=True)
    queued = LedgerCount()
    sending = LedgerCount()
    sent = LedgerCount()
    failed = LedgerCount()
    unknown = LedgerCount(help_text="Failed rows whose outcome is unknown (the provider may have delivered).")

    class Meta:
        model = Campaign
        fields = [
            "id", "jobId", "channel", "subject", "body", "tag", "createdAt", "sendAt", "retryOf",
            "queued", "sending", "sent", "failed", "unknown",
        ]  # fmt: skip
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    sentAt = serializers.DateTimeField(source="sent_at", allow_null=True)

    class Meta:
        model = Delivery
        fields = ["recipient", "status", "reason", "error", "attempts", "sentAt"]
        read_only_fields = fields


class DeliveriesQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False, allow_blank=True)
    page = serializers.IntegerField(min_value=1, required=False, default=1)


class BulkSendRequestSerializer(BulkEmailSerializer):
    """The schema's request body for both channels: `subject` and `html` are for email."""

    subject = serializers.CharField(max_length=200, required=False, help_text="Email only, and required there.")
    html = serializers.CharField(required=False, allow_blank=True, help_text="Email only.")
