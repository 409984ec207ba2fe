"""Bulk-send requests: shape checks here, audience and body rules in notifications.audience."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .audience import AudienceError, resolve_audience, validate_body
from .models import Campaign


class BulkSendSerializer(serializers.Serializer):
    channel = None
    # A plain JSON value checked in notifications.audience (a list of strings): per-item
    # serializer fields would cost more than the validation itself on 100,000 numbers.
    recipients = serializers.JSONField(required=False, help_text=_("A list of phone numbers or email addresses."))
    tag = serializers.CharField(required=False, allow_blank=True, max_length=50)
    message = serializers.CharField(allow_blank=True, trim_whitespace=True)
    skip_invalid = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        try:
            attrs["body"] = validate_body(self.channel, attrs.get("message", ""))
            attrs["audience"] = resolve_audience(
                self.channel,
                recipients=attrs.get("recipients"),
                tag=attrs.get("tag", ""),
                skip_invalid=attrs.get("skip_invalid", False),
            )
        except AudienceError as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return attrs


class BulkSmsSerializer(BulkSendSerializer):
    channel = Campaign.Channel.SMS


class BulkEmailSerializer(BulkSendSerializer):
    channel = Campaign.Channel.EMAIL
    subject = serializers.CharField(max_length=200)
    html = serializers.CharField(required=False, allow_blank=True, default="")


SERIALIZERS = {Campaign.Channel.SMS: BulkSmsSerializer, Campaign.Channel.EMAIL: BulkEmailSerializer}


class BulkSendRequestSerializer(BulkEmailSerializer):
    """The schema's request body for both channels: `subject` and `html` are for email."""

    subject = serializers.CharField(max_length=200, required=False, help_text="Email only, and required there.")
    html = serializers.CharField(required=False, allow_blank=True, help_text="Email only.")
