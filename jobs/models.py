"""The BackgroundJob record (seed 000), kept true by Celery through jobs.tracking."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Seed 000's badge per status, and Bootstrap 5's colour for each badge class.
STATUS_BADGES = {0: "bg-secondary", 1: "bg-primary", 2: "bg-success", 3: "bg-danger", 4: "bg-warning"}
BOOTSTRAP_COLORS = {
    "bg-secondary": "#6c757d", "bg-primary": "#0d6efd", "bg-success": "#198754",
    "bg-danger": "#dc3545", "bg-warning": "#ffc107",
}  # fmt: skip


class BackgroundJobQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The jobs `user` may see: their own (another user's job is a 404)."""
        return self.filter(created_by=user)

    def active(self):
        return self.filter(status__in=BackgroundJob.ACTIVE)

    def finished(self):
        return self.filter(status__in=BackgroundJob.FINISHED)


class BackgroundJob(models.Model):
    class JobType(models.IntegerChoices):
        SMS = 0, _("Bulk SMS")
        EMAIL = 1, _("Bulk email")
        REPORT = 2, _("Report generation")
        EXPORT = 3, _("Data export")
        MAINTENANCE = 4, _("Maintenance")

    class Status(models.IntegerChoices):
        PENDING = 0, _("Pending")
        RUNNING = 1, _("Running")
        COMPLETED = 2, _("Completed")
        FAILED = 3, _("Failed")
        CANCELLED = 4, _("Cancelled")

    ACTIVE = (Status.PENDING, Status.RUNNING)
    FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)
    RETRYABLE = (Status.FAILED, Status.CANCELLED)

    job_type = models.PositiveSmallIntegerField(_("type"), choices=JobType.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, help_text=_("0-100"))
    total_items = models.PositiveIntegerField(_("total items"), default=0)
    processed_items = models.PositiveIntegerField(_("processed items"), default=0)
    success_count = models.PositiveIntegerField(_("succeeded"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    error_message = models.TextField(_("error message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_jobs", verbose_name=_("owner")
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    # A scheduled job: Pending until then, enqueued by beat (jobs.start_due_jobs) once due.
    # `awaiting_schedule` is True until that one enqueue (a guarded UPDATE clears it).
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    awaiting_schedule = models.BooleanField(_("waiting for its time"), default=False)

    # How the job runs: enough to run it again (retry) or resume it (reaper).
    task_name = models.CharField(_("task"), max_length=200)
    task_kwargs = models.JSONField(_("task arguments"), default=dict, blank=True)
    task_id = models.CharField(_("Celery task id"), max_length=255, db_index=True)
    queue = models.CharField(_("queue"), max_length=50, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    # Crash recovery (jobs.tracking.resume_job, jobs.maintenance.reap_stuck_jobs): when the
    # current task was enqueued and has not started yet, when the job was last resumed, and
    # how many resumes in a row made no progress (processed_items at the last resume).
    queued_since = models.DateTimeField(_("task queued since"), null=True, blank=True)
    resumed_at = models.DateTimeField(_("last resumed"), null=True, blank=True)
    stalled_resumes = models.PositiveSmallIntegerField(_("resumes without progress"), default=0)
    processed_at_resume = models.PositiveIntegerField(_("processed items at the last resume"), default=0)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries", verbose_name=_("retry of")
    )
    # Celery priority of its tasks (9 most urgent); with `queue` it makes the job's lane.
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    # Items per second over the recent past (a moving average of counter samples), for the ETA.
    rate_per_second = models.FloatField(_("items per second"), null=True, blank=True)
    rate_sample_at = models.DateTimeField(_("rate sampled"), null=True, blank=True)
    rate_sample_items = models.PositiveIntegerField(_("processed at the rate sample"), default=0)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "status"], name="jobs_owner_status_idx"),
            models.Index(fields=["status", "completed_at"], name="jobs_status_completed_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat_idx"),
            models.Index(fields=["status", "queue", "priority", "created_at"], name="jobs_lane_idx"),
            models.Index(
                fields=["scheduled_for"], condition=Q(awaiting_schedule=True), name="jobs_awaiting_schedule_idx"
            ),
        ]
        constraints = [
            # One unfinished job per owner and idempotency key.
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(status__in=[0, 1]) & ~Q(idempotency_key=""),
                name="jobs_active_idempotency_key_uniq",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def badge_class(self) -> str:
        """Bootstrap's colour class for the status (seed 000): API, pages and admin."""
        return STATUS_BADGES.get(self.status, "bg-secondary")

    @property
    def outcome_badge_class(self) -> str:
        """The badge colour for what came out of it: like badge_class, but a warning
        for "Completed with failures" (seed 000 keeps statusBadgeClass bg-success then)."""
        if self.status == self.Status.COMPLETED and self.failed_count:
            return "bg-warning"
        return self.badge_class

    @property
    def status_color(self) -> str:
        """The same colour as a hex value, where no Bootstrap CSS is loaded (the admin)."""
        return BOOTSTRAP_COLORS[self.badge_class]

    @property
    def flower_url(self) -> str:
        """This job's current task in Flower."""
        return f"{settings.FLOWER_URL.rstrip('/')}/task/{self.task_id}"

    def queue_position(self) -> int | None:
        """Pending jobs: how many jobs are ahead of it in its lane (same queue and priority,
        created earlier, not started yet); None otherwise."""
        if self.status != self.Status.PENDING or self.started_at is not None:
            return None
        earlier = Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        lane = BackgroundJob.objects.filter(
            status=self.Status.PENDING, queue=self.queue, priority=self.priority, started_at=None
        )
        return lane.filter(earlier).count()

    @property
    def wait_until(self):
        """When a job deliberately waiting (e.g. for a provider's quota) goes on; None if it is not."""
        from django.utils import timezone
        from django.utils.dateparse import parse_datetime

        value = (self.metadata or {}).get("wait_until") if isinstance(self.metadata, dict) else None
        until = parse_datetime(value) if isinstance(value, str) else None
        return until if self.is_active and until and until > timezone.now() else None

    def eta_seconds(self) -> int | None:
        """Running jobs: seconds to completion from the observed rate, never faster than the
        work's own limit (metadata "max_rate", items/s) and after any deliberate wait."""
        from django.utils import timezone

        rate = self.rate_per_second
        if self.status != self.Status.RUNNING or not rate or rate <= 0 or not self.total_items:
            return None
        max_rate = (self.metadata or {}).get("max_rate") if isinstance(self.metadata, dict) else None
        if isinstance(max_rate, int | float) and max_rate > 0:
            rate = min(rate, max_rate)
        remaining = max(self.total_items - self.processed_items, 0)
        wait = (self.wait_until - timezone.now()).total_seconds() if self.wait_until else 0
        return round(wait + remaining / rate)

    @property
    def duration(self):
        """Time from start to completion (or to now while running); None before start."""
        from django.utils import timezone

        if not self.started_at:
            return None
        return (self.completed_at or timezone.now()) - self.started_at


def job_link(field_class=models.ForeignKey, **options):
    """The field from a row an app's job works on (a campaign, a report) to that job. The
    row outlives its job: when the job is deleted (JOBS_RETENTION_DAYS), the link turns null."""
    return field_class(
        BackgroundJob, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("job"), **options
    )
