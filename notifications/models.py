"""Contacts, campaigns and the per-recipient delivery ledger of bulk sends."""

import uuid

from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from jobs.models import BackgroundJob, job_link

from .text import batched

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


SUPPRESSED = Q(is_active=False) | Q(opted_out=True)  # never sent bulk messages


class ContactQuerySet(models.QuerySet):
    def reachable(self):
        """Contacts that may receive bulk messages: active and not opted out."""
        return self.filter(is_active=True, opted_out=False)

    def suppressed(self):
        return self.filter(SUPPRESSED)

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
        indexes = [
            models.Index(fields=["email"], name="notif_contact_email_idx"),
            # The few opted-out or inactive contacts, for checking a list at the trigger
            # (ContactQuerySet.suppressed: the same condition, so the planner can use them).
            models.Index(fields=["phone"], condition=SUPPRESSED, name="notif_contact_supp_phone_idx"),
            models.Index(fields=["email"], condition=SUPPRESSED, name="notif_contact_supp_email_idx"),
        ]

    def __str__(self):
        return self.name or self.phone or self.email


class CampaignQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def started_with_key(self, user, key: str):
        """The owner's unfinished campaign whose job was started with idempotency `key`."""
        active = BackgroundJob.objects.owned_by(user).active().filter(idempotency_key=key)
        return self.owned_by(user).filter(job__in=active).select_related("job").first()


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
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # Body or subject use {name}-style fields (notifications.personalise), checked at the edge.
    personalised = models.BooleanField(_("personalised"), default=False)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries", verbose_name=_("retry of")
    )
    ledger_ready = models.BooleanField(_("ledger built"), default=False)
    # Bounded fan-out: the first ledger id not yet handed to a chunk (DeliveryQuerySet.next_range).
    next_delivery_id = models.BigIntegerField(_("next delivery to hand out"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("owner")
    )
    # The one link between the campaign and the job that runs it (its tasks find the
    # campaign through it; a retried job takes over its original's campaign).
    job = job_link(models.OneToOneField, related_name="campaign")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.get_channel_display()}: {self.body[:40]}"

    def idempotency_key(self, recipient: str) -> str:
        return str(uuid.uuid5(_KEY_NAMESPACE, f"{self.pk}:{recipient}"))

    def rewind(self):
        """Hand out the ledger from its start again (the planner, after a crash: rows a lost
        chunk left queued are covered again; the ledger's claims prevent double sends)."""
        Campaign.objects.filter(pk=self.pk).update(next_delivery_id=0)

    def next_range(self, size: int) -> tuple[int, int] | None:
        """(first id, last id) of the next `size` queued rows not handed to a chunk yet, taken
        by advancing the campaign's cursor with a guarded UPDATE: two chunks finishing at
        once never get the same range. None when every queued row has been handed out."""
        while True:
            cursor = Campaign.objects.filter(pk=self.pk).values_list("next_delivery_id", flat=True).get()
            queued = self.deliveries.filter(status=Delivery.Status.QUEUED, pk__gte=cursor).order_by("pk")
            ids = list(queued.values_list("pk", flat=True)[: max(size, 1)])
            if not ids:
                return None
            if Campaign.objects.filter(pk=self.pk, next_delivery_id=cursor).update(next_delivery_id=ids[-1] + 1):
                return ids[0], ids[-1]


OUTCOME_UNKNOWN = gettext_noop("Outcome unknown: the worker stopped while sending; not resent to avoid a duplicate.")
GAVE_UP = gettext_noop("Gave up after %(n)d attempts: %(error)s")


# The claim every recipient goes through, written out as one UPDATE ... RETURNING (SQLite
# 3.35+, PostgreSQL): it runs once per batch of sends, and the ORM took several times
# longer to build its two statements than the database to run them.
CLAIMED_FIELDS = ["id", "recipient", "attempts", "idempotency_key", "claim"]  # in the model's order (from_db)
CLAIM_SQL = (
    "UPDATE notifications_delivery SET status = %%s, claim = %%s, attempts = attempts + 1, updated_at = %%s"
    " WHERE id IN (%s) AND status = %%s RETURNING " + ", ".join(CLAIMED_FIELDS)
)
# What nearly every outcome is, written out the same way: sent, with the provider's message id
# per row (CASE), onto rows still "sending" under their claim; one autocommitted statement.
SENT_SQL = (
    "UPDATE notifications_delivery SET status = %%s, error = '', sent_at = %%s, updated_at = %%s,"
    " provider_message_id = CASE id %s ELSE provider_message_id END"
    " WHERE id IN (%s) AND status = %%s AND claim IN (%s)"
)


def placeholders(n: int) -> str:
    """The "%s, %s, ..." of n parameters in a written-out statement."""
    return ", ".join(["%s"] * n)


class DeliveryQuerySet(models.QuerySet):
    """The ledger as a state machine: a row moves queued -> sending -> sent | failed, and
    every move is a guarded UPDATE, so two copies of a chunk never send one recipient.

    - claim: queued -> sending under a fresh claim token, then the rows carrying it;
    - record: outcomes onto rows still "sending" under their token (sent, failed, or back
      to queued for another attempt);
    - recover_interrupted: rows a dead worker left in "sending";
    - give_up: what is left when the job ended Failed or Cancelled (requeue_not_sent:
      what was never tried, when the job is retried);
    - counts: (sent, failed), what the job's counters are synced from.
    """

    def claim(self, ids) -> list["Delivery"]:
        """queued -> sending for those of `ids` still queued (chosen by id alone); returns the
        rows this call owns, with the fields a sender needs (the rest deferred)."""
        if not ids:
            return []
        connection = connections[self.db]
        params = [Delivery.Status.SENDING, uuid.uuid4().hex, connection.ops.adapt_datetimefield_value(timezone.now())]
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_SQL % placeholders(len(ids)), [*params, *ids, Delivery.Status.QUEUED])
            rows = cursor.fetchall()
        return [self.model.from_db(self.db, CLAIMED_FIELDS, row) for row in rows]

    def record(self, outcomes, *, last_try=False):
        """Write outcomes (one UPDATE per kind), only onto rows the senders still own: status
        "sending" and one of their claim tokens. Sent rows are one statement of their own; a
        retryable failure goes back to queued until BULK_MAX_ATTEMPTS (or the chunk's last try),
        then fails for good (those two in one short transaction)."""
        if not outcomes:
            return
        now = timezone.now()
        sent, retry, failed = [], [], []
        for o in outcomes:
            if o.ok:
                sent.append((o.delivery, o.message_id[:100]))
            elif o.retryable and not last_try and o.delivery.attempts < settings.BULK_MAX_ATTEMPTS:
                retry.append((o.delivery, o.error[:1000]))
            else:
                error = o.error
                if o.retryable:
                    error = gettext(GAVE_UP) % {
                        "n": o.delivery.attempts,
                        "error": o.error,
                    }
                failed.append(
                    (o.delivery, error[:1000], Delivery.Reason.GAVE_UP if o.retryable else Delivery.Reason.REJECTED)
                )

        if sent:
            self._record_sent(sent, now)
        if not (retry or failed):
            return

        def owned(rows):  # rows: (delivery, value, ...) tuples
            return self.filter(
                pk__in=[row[0].pk for row in rows],
                status=Delivery.Status.SENDING,
                claim__in={row[0].claim for row in rows},
            )

        def per_row(rows, column=1):
            whens = [When(pk=row[0].pk, then=Value(row[column])) for row in rows]
            return Case(*whens, default=Value(""), output_field=CharField())

        Status = Delivery.Status
        with transaction.atomic(using=self.db):
            if retry:
                owned(retry).update(status=Status.QUEUED, claim="", error=per_row(retry), updated_at=now)
            if failed:
                owned(failed).update(
                    status=Status.FAILED, error=per_row(failed), reason=per_row(failed, 2), updated_at=now
                )

    def _record_sent(self, sent, now):
        """sending -> sent for (delivery, message id) pairs still owned under their claim."""
        connection = connections[self.db]
        claims = list({d.claim for d, _ in sent})
        sql = SENT_SQL % (
            " ".join(["WHEN %s THEN %s"] * len(sent)),
            placeholders(len(sent)),
            placeholders(len(claims)),
        )
        when = connection.ops.adapt_datetimefield_value(now)
        params = [Delivery.Status.SENT, when, when]
        params += [value for d, message_id in sent for value in (d.pk, message_id)]
        params += [d.pk for d, _ in sent] + [Delivery.Status.SENDING] + claims
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def recover_interrupted(self, *, resend: bool, claimed_before=None) -> int:
        """Rows a dead worker left in "sending" (claimed before `claimed_before`, if given):
        back to queued (the provider will recognise the idempotency key) or, when it would
        not, failed as outcome unknown."""
        stuck = self.filter(status=Delivery.Status.SENDING)
        if claimed_before is not None:
            stuck = stuck.filter(updated_at__lt=claimed_before)
        if resend:
            return stuck.update(status=Delivery.Status.QUEUED, claim="", updated_at=timezone.now())
        return stuck.update(
            status=Delivery.Status.FAILED,
            claim="",
            updated_at=timezone.now(),
            error=gettext(OUTCOME_UNKNOWN),
            reason=Delivery.Reason.UNKNOWN,
        )

    def give_up(self, error: str, *, claimed_before) -> int:
        """The job ended: queued rows, and rows in "sending" claimed before `claimed_before`
        (abandoned by a dead worker), fail with the words `error`. Returns rows changed."""
        Status = Delivery.Status
        abandoned = Q(status=Status.QUEUED) | Q(status=Status.SENDING, updated_at__lt=claimed_before)
        return self.filter(abandoned).update(status=Status.FAILED, claim="", error=error, updated_at=timezone.now())

    def requeue_not_sent(self) -> int:
        """For a retried job: rows give_up failed without ever claiming them (never tried,
        so nothing can be a duplicate) are queued again. Returns rows changed."""
        return self.filter(status=Delivery.Status.FAILED, attempts=0).update(
            status=Delivery.Status.QUEUED, error="", updated_at=timezone.now()
        )

    def counts(self) -> tuple[int, int]:
        """(sent, failed) among these rows, in one query."""
        rows = self.filter(status__in=Delivery.FINAL).order_by().values_list("status").annotate(n=Count("pk"))
        counts = dict(rows)
        return counts.get(Delivery.Status.SENT, 0), counts.get(Delivery.Status.FAILED, 0)

    def status_counts(self) -> dict:
        """{"queued", "sending", "sent", "failed", "unknown"}: rows per status (and the
        failed rows whose outcome is unknown), in one query."""
        rows = self.order_by().values_list("status", "reason").annotate(n=Count("pk"))
        counts = dict.fromkeys([*Delivery.Status.values, "unknown"], 0)
        for status, reason, n in rows:
            counts[status] += n
            if reason == Delivery.Reason.UNKNOWN:
                counts["unknown"] += n
        return counts

    def queued_ranges(self, size: int) -> list[tuple[int, int]]:
        """(first id, last id) of consecutive runs of `size` queued rows: the chunks."""
        ids = self.filter(status=Delivery.Status.QUEUED).order_by("pk").values_list("pk", flat=True)
        return [(batch[0], batch[-1]) for batch in batched(list(ids), max(size, 1))]

    def requeue(self, deliveries) -> int:
        """sending -> queued for rows the provider asked us to hold back (429 Retry-After):
        not a failed attempt, so the attempt taken by the claim is given back."""
        if not deliveries:
            return 0
        return self.filter(
            pk__in=[d.pk for d in deliveries],
            status=Delivery.Status.SENDING,
            claim__in={d.claim for d in deliveries},
        ).update(status=Delivery.Status.QUEUED, claim="", attempts=F("attempts") - 1, updated_at=timezone.now())


class Delivery(models.Model):
    """The ledger: one row per campaign and recipient, queued -> sending -> sent | failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        """Why a row failed, for machines (filters, retry, summaries); `error` has the words."""

        NONE = "", _("none")
        REJECTED = "rejected", _("Rejected")  # a permanent error: the provider or server refused it
        GAVE_UP = "gave_up", _("Gave up")  # transient errors until BULK_MAX_ATTEMPTS
        UNKNOWN = "unknown", _("Outcome unknown")  # interrupted mid-send: may have been delivered

    FINAL = (Status.SENT, Status.FAILED)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.CharField(_("recipient"), max_length=254)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    claim = models.CharField(_("claimed by"), max_length=40, blank=True, help_text=_("The send that owns the row."))
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

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
