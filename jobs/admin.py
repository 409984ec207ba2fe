"""Admin for background jobs: a read-only view of what Celery did, plus cancel/retry."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_results.models import TaskResult

from .formatting import format_duration
from .models import BackgroundJob
from .tracking import JobError, cancel_job, retry_job


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = [
        "id", "title", "created_by", "job_type", "status_label", "progress_bar", "counts", "attempts", "queue",
        "created_at", "duration_text",
    ]  # fmt: skip
    list_display_links = ["id", "title"]
    list_filter = [
        "status", "job_type", ("created_by", admin.RelatedOnlyFieldListFilter), "created_at", "completed_at",
        "queue", "cancel_requested",
    ]  # fmt: skip
    date_hierarchy = "created_at"
    search_fields = ["=id", "title", "description", "=task_id", "idempotency_key", "created_by__username"]
    list_select_related = ["created_by"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over a big table on every page
    actions = ["cancel_selected", "retry_selected"]
    fieldsets = [
        (None, {"fields": ["title", "description", "job_type", "created_by", "status_label", "error_message"]}),
        (
            _("Progress"),
            {"fields": ["progress_bar", "total_items", "processed_items", "success_count", "failed_count"]},
        ),
        (
            _("Times"),
            {"fields": ["created_at", "scheduled_for", "started_at", "completed_at", "heartbeat_at", "duration_text"]},
        ),
        (
            _("Celery"),
            {
                "fields": [
                    "task_name",
                    "task_kwargs",
                    "task_id",
                    "queue",
                    "attempts",
                    "queued_since",
                    "resumed_at",
                    "stalled_resumes",
                    "cancel_requested",
                    "idempotency_key",
                    "retry_of",
                    "task_result",
                    "flower_link",
                ]
            },
        ),  # fmt: skip
        (_("Metadata"), {"fields": ["metadata"], "classes": ["collapse"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Job state changes only through jobs.tracking (the actions below), never by hand.
        return [f for _, options in self.fieldsets for f in options["fields"]]

    def has_add_permission(self, request):
        return False  # jobs are started by the code that does the work

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, job):
        color = job.status_color
        return format_html(
            '<span style="background:{};color:#fff;padding:1px 6px;border-radius:3px">{}</span>',
            color,
            job.get_status_display(),
        )

    @admin.display(description=_("progress"), ordering="progress")
    def progress_bar(self, job):
        return format_html(
            '<div title="{progress}%" style="width:120px;background:#e9ecef;border-radius:3px">'
            '<div style="width:{progress}%;background:{color};color:#fff;font-size:11px;text-align:center;'
            'border-radius:3px;white-space:nowrap">{progress}%</div></div>',
            progress=job.progress,
            color=job.status_color,
        )

    @admin.display(description=_("done / total"))
    def counts(self, job):
        return format_html(
            "{}/{} <small>({} ✓, {} ✗)</small>",
            job.processed_items,
            job.total_items,
            job.success_count,
            job.failed_count,
        )

    @admin.display(description=_("duration"))
    def duration_text(self, job):
        return format_duration(job.duration) or "-"

    @admin.display(description=_("task result"))
    def task_result(self, job):
        result = TaskResult.objects.filter(task_id=job.task_id).only("pk", "status").first()
        if result is None:
            return _("none stored (job tasks store results only when they fail)")
        url = reverse("admin:django_celery_results_taskresult_change", args=[result.pk])
        return format_html('<a href="{}">{}</a>', url, result.status)

    @admin.display(description=_("Flower"))
    def flower_link(self, job):
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', job.flower_url, job.flower_url)

    @admin.action(description=_("Cancel selected jobs"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        changed = sum(cancel_job(job) for job in queryset.active())
        self.message_user(
            request,
            ngettext("%(count)d job cancelled.", "%(count)d jobs cancelled.", changed) % {"count": changed},
            messages.SUCCESS if changed else messages.WARNING,
        )

    @admin.action(description=_("Retry selected jobs"), permissions=["change"])
    def retry_selected(self, request, queryset):
        retried = 0
        for job in queryset.select_related("created_by"):
            try:
                retry_job(job)
                retried += 1
            except JobError:
                pass
        self.message_user(
            request,
            ngettext("%(count)d job started again.", "%(count)d jobs started again.", retried)
            % {"count": retried},  # fmt: skip
            messages.SUCCESS if retried else messages.WARNING,
        )
