from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Report
from .services import delete_expired_reports


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "format", "owner", "job", "row_count", "size", "created_at", "expires_at", "ready")
    list_filter = ("kind", "format", "created_at", "expires_at")
    search_fields = ("owner__username", "owner__email", "file")
    date_hierarchy = "created_at"
    list_select_related = ("owner", "job")
    raw_id_fields = ("owner", "job")
    readonly_fields = ("file", "row_count", "size", "created_at", "completed_at")
    fieldsets = (
        (None, {"fields": ("kind", "format", "parameters", "owner", "job")}),
        (_("Result"), {"fields": ("file", "row_count", "size", "created_at", "completed_at", "expires_at")}),
    )
    actions = ("expire_now", "delete_expired")

    @admin.display(boolean=True, description=_("ready"))
    def ready(self, obj):
        return obj.is_ready

    @admin.action(description=_("Expire selected reports now (downloads answer 410)"))
    def expire_now(self, request, queryset):
        count = queryset.update(expires_at=timezone.now())
        self.message_user(
            request, ngettext("%(count)d report expired.", "%(count)d reports expired.", count) % {"count": count}
        )

    @admin.action(description=_("Delete all expired reports and their files"))
    def delete_expired(self, request, queryset):
        count = delete_expired_reports()
        self.message_user(
            request,
            ngettext("%(count)d expired report deleted.", "%(count)d expired reports deleted.", count)
            % {"count": count},
            messages.SUCCESS,
        )
