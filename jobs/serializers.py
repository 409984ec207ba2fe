"""JSON shapes of the jobs API: seed 000's camelCase item, the same in every endpoint."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .formatting import failure_summary, format_datetime, format_duration
from .models import STATUS_BADGES, BackgroundJob
from .titles import job_title


@extend_schema_field({"type": "string", "nullable": True, "example": "2024/11/17 14:30"})
class JobDateField(serializers.Field):
    """`YYYY/MM/DD HH:MM` in the current time zone (Jalali in Persian), or null."""

    def to_representation(self, value):
        return format_datetime(value)


class BackgroundJobSerializer(serializers.ModelSerializer):
    """One job as the header widget and the jobs pages read it.

    startDate is when the job started, or when it was queued while it is still
    pending (never null, like the seed's StartDate); duration is null until it starts.
    """

    title = serializers.SerializerMethodField()
    jobType = serializers.ChoiceField(source="job_type", choices=BackgroundJob.JobType.choices)  # an enum in the schema
    jobTypeText = serializers.CharField(source="get_job_type_display")
    statusText = serializers.CharField(source="get_status_display")
    statusBadgeClass = serializers.SerializerMethodField()
    totalItems = serializers.IntegerField(source="total_items")
    processedItems = serializers.IntegerField(source="processed_items")
    successCount = serializers.IntegerField(source="success_count")
    failedCount = serializers.IntegerField(source="failed_count")
    startDate = serializers.SerializerMethodField()
    completedDate = JobDateField(source="completed_at")
    duration = serializers.SerializerMethodField()
    errorMessage = serializers.SerializerMethodField()
    downloadUrl = serializers.SerializerMethodField()
    detailUrl = serializers.SerializerMethodField()
    scheduledFor = serializers.SerializerMethodField()
    failureSummary = serializers.SerializerMethodField()
    outcomeBadgeClass = serializers.SerializerMethodField()

    class Meta:
        model = BackgroundJob
        fields = [
            "id", "title", "description", "jobType", "jobTypeText", "status", "statusText", "statusBadgeClass",
            "progress", "totalItems", "processedItems", "successCount", "failedCount",
            "startDate", "completedDate", "duration", "errorMessage", "downloadUrl",
            "detailUrl", "scheduledFor", "failureSummary", "outcomeBadgeClass",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field({"type": "string"})
    def get_title(self, job) -> str:
        # Built in the reader's language from the stored message and parameters (jobs.titles).
        return job_title(job)

    @extend_schema_field({"type": "string", "enum": sorted(set(STATUS_BADGES.values()))})
    def get_statusBadgeClass(self, job) -> str:  # noqa: N802
        return job.badge_class

    @extend_schema_field({"type": "string", "example": "2024/11/17 14:30"})
    def get_startDate(self, job) -> str:  # noqa: N802
        return format_datetime(job.started_at or job.created_at)

    @extend_schema_field({"type": "string", "nullable": True, "example": "05:23"})
    def get_duration(self, job):  # noqa: N802
        return format_duration(job.duration)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_errorMessage(self, job):  # noqa: N802
        # The platform's own messages are stored as msgids: shown in the reader's language.
        return gettext(job.error_message) if job.error_message else None

    @extend_schema_field({"type": "string", "nullable": True, "format": "uri-reference"})
    def get_downloadUrl(self, job):  # noqa: N802
        return metadata_url(job, "download_url")

    @extend_schema_field({"type": "string", "nullable": True, "format": "uri-reference"})
    def get_detailUrl(self, job):  # noqa: N802
        """The page of what the job works on (a campaign's outcome page), set by its app."""
        return metadata_url(job, "detail_url")

    @extend_schema_field({"type": "string", "nullable": True, "example": "2024/11/18 09:00"})
    def get_scheduledFor(self, job):  # noqa: N802
        """When a scheduled job will start, while it waits (Pending); else null."""
        if job.status != BackgroundJob.Status.PENDING or not job.scheduled_for:
            return None
        return format_datetime(job.scheduled_for)

    @extend_schema_field({"type": "string", "nullable": True, "example": "97 of 3,000 failed: 78 unknown number"})
    def get_failureSummary(self, job):  # noqa: N802
        """A finished job's failures grouped by reason, in the reader's language; else null."""
        if job.status not in BackgroundJob.FINISHED or not isinstance(job.metadata, dict):
            return None
        return failure_summary(job.metadata.get("failure_summary"))

    @extend_schema_field({"type": "string", "example": "bg-warning"})
    def get_outcomeBadgeClass(self, job) -> str:  # noqa: N802
        """statusBadgeClass, except "Completed with failures": bg-warning."""
        return job.outcome_badge_class


def metadata_url(job, key):
    url = (job.metadata or {}).get(key) if isinstance(job.metadata, dict) else None
    return url if isinstance(url, str) and url else None


class JobListResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    jobs = BackgroundJobSerializer(many=True)


class JobResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    job = BackgroundJobSerializer()


class HistoryQuerySerializer(serializers.Serializer):
    take = serializers.IntegerField(min_value=1, max_value=100, default=10, help_text="How many jobs, newest first.")
