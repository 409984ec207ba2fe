"""Contacts, campaigns and the per-recipient delivery ledger of bulk sends."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Deterministic idempotency keys: the same campaign + recipient always gets the same key,
# so a resend after a crash is recognised by a gateway that honours Idempotency-Key.
_KEY_NAMESPACE = uuid.UUID("6f1c3a52-5d0e-4a8f-9a53-0e2f1b7c4d11")


def address_field(channel: str) -> str:
    """The Contact field holding a contact's address on `channel`."""
    return "email" if channel == Campaign.Channel.EMAIL else "phone"


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ContactQuerySet(models.QuerySet):
    def reachable(self):
        """Contacts that may receive bulk messages: active and not opted out."""
        return self.filter(is_active=True, opted_out=False)

    def suppressed(self):
        return self.filter(Q(is_active=False) | Q(opted_out=True))

    def with_tag(self, tag: str):
        return self.filter(tags__name=tag)

    def audience(self, channel: str, tag: str):
        """Reachable contacts with `tag` and an address for `channel`."""
        return self.reachable().with_tag(tag).exclude(**{address_field(channel): ""})


class Contact(models.Model):
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +989121234567"))
    email = models.EmailField(_("email"), blank=True)
    tags = models.ManyToManyField(Tag, related_name="contacts", blank=True, verbose_name=_("tags"))
    is_active = models.BooleanField(_("active"), default=True)
    opted_out = models.BooleanField(_("opted out"), default=False, help_text=_("Never send bulk messages."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="notif_contact_phone_uniq"),
        ]
        indexes = [models.Index(fields=["email"], name="notif_contact_email_idx")]

    def __str__(self):
        return self.name or self.phone or self.email


class Campaign(models.Model):
    """One bulk send: what, to whom, by whom, and the BackgroundJob that runs it."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    html = models.TextField(_("HTML message"), blank=True)
    # The audience: either an explicit, normalised and deduplicated list, or a tag.
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    tag = models.CharField(_("tag"), max_length=50, blank=True)
    skipped_invalid = models.PositiveIntegerField(_("invalid recipients skipped"), default=0)
    ledger_ready = models.BooleanField(_("ledger built"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("owner")
    )
    job = models.ForeignKey(
        "jobs.BackgroundJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
        verbose_name=_("job"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.get_channel_display()}: {self.body[:40]}"

    def idempotency_key(self, recipient: str) -> str:
        return str(uuid.uuid5(_KEY_NAMESPACE, f"{self.pk}:{recipient}"))


class Delivery(models.Model):
    """The ledger: one row per campaign and recipient, queued -> sending -> sent | failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    FINAL = (Status.SENT, Status.FAILED)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.CharField(_("recipient"), max_length=254)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    claim = models.CharField(_("claimed by"), max_length=40, blank=True, help_text=_("The send that owns the row."))
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "recipient"], name="notif_delivery_campaign_rcpt_uniq"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="notif_delivery_camp_status_idx"),
            models.Index(fields=["claim"], name="notif_delivery_claim_idx"),
        ]

    def __str__(self):
        return f"{self.recipient} ({self.status})"
