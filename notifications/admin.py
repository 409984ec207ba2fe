from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Campaign, Contact, Delivery, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("contacts"))

    @admin.display(description=_("contacts"), ordering="n")
    def contact_count(self, obj):
        return obj.n


def consent_action(name, description, field, value):
    """The admin action `name`: set a flag on the selected contacts that do not have it
    yet, and say how many changed."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        n = queryset.exclude(**{field: value}).update(**{field: value})
        modeladmin.message_user(
            request, ngettext("%d contact updated.", "%d contacts updated.", n) % n, messages.SUCCESS
        )

    action.__name__ = name
    return action


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "is_active", "opted_out", "created_at"]
    list_filter = ["is_active", "opted_out", "tags"]
    search_fields = ["name", "phone", "email"]
    filter_horizontal = ["tags"]
    fieldsets = [
        (None, {"fields": ["name", "phone", "email", "tags"]}),
        (_("Consent"), {"fields": ["is_active", "opted_out"]}),
    ]
    actions = [
        consent_action("opt_out", _("Opt out of bulk messages"), "opted_out", True),
        consent_action("opt_in", _("Opt back in to bulk messages"), "opted_out", False),
        consent_action("deactivate", _("Deactivate"), "is_active", False),
        consent_action("activate", _("Activate"), "is_active", True),
    ]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "short_body", "tag", "owner", "job", "sent", "failed", "created_at"]
    list_filter = ["channel", "created_at"]
    search_fields = ["body", "subject", "tag", "owner__username"]
    raw_id_fields = ["owner", "job", "retry_of"]
    readonly_fields = ["created_at", "skipped_invalid", "ledger_ready"]
    fieldsets = [
        (None, {"fields": ["channel", "subject", "body", "html"]}),
        (_("Audience"), {"fields": ["tag", "recipients", "skipped_invalid", "personalised"]}),
        (_("Run"), {"fields": ["owner", "job", "send_at", "retry_of", "ledger_ready", "created_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                n_failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
            )
        )

    @admin.display(description=_("message"))
    def short_body(self, obj):
        return obj.body[:60]

    @admin.display(description=_("sent"), ordering="n_sent")
    def sent(self, obj):
        return obj.n_sent

    @admin.display(description=_("failed"), ordering="n_failed")
    def failed(self, obj):
        return obj.n_failed


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "recipient", "status", "attempts", "provider_message_id", "updated_at"]
    list_filter = ["status", "reason"]
    search_fields = ["recipient", "provider_message_id", "=campaign__id"]
    raw_id_fields = ["campaign"]
    list_select_related = ["campaign"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    fieldsets = [
        (None, {"fields": ["campaign", "recipient", "status", "reason", "attempts", "error"]}),
        (_("Provider"), {"fields": ["provider_message_id", "idempotency_key", "claim"]}),
        (_("Times"), {"fields": ["created_at", "updated_at", "sent_at"]}),
    ]

    def has_add_permission(self, request):
        return False
