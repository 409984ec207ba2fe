"""A report or export: what was asked for, the job that builds it, and the file it produced."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.formatting import format_date
from jobs.models import BackgroundJob, job_link

# The reader's word for each key a report's parameters may have.
PARAMETER_LABELS = {
    "tag": _("Tag"),
    "active": _("Active contacts only"),
    "from": _("From"),
    "to": _("To"),
}


def report_upload_to(report, filename):
    """Per-report path under the storage root (local MEDIA_ROOT, S3, ...)."""
    return f"reports/{report.owner_id or 'system'}/{report.pk}/{filename}"


class Report(models.Model):
    class Kind(models.TextChoices):
        CONTACTS = "contacts", _("Contacts export")
        MESSAGING = "messaging", _("Messaging report")
        JOBS = "jobs", _("Jobs report")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX (Excel)"

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # Null only for scheduled reports when no superuser exists (see reports.daily).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("owner"),
    )
    job = job_link(related_name="reports")
    # Set only once the whole file was written and saved: an empty file means "not ready".
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=500, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "created_at"], name="reports_owner_created_idx"),
            models.Index(fields=["expires_at"], name="reports_expires_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} ({self.format})"

    @property
    def is_ready(self) -> bool:
        if not self.file:
            return False
        return self.job_id is None or self.job.status == BackgroundJob.Status.COMPLETED

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def status_text(self) -> str:
        if self.is_expired:
            return _("Expired")
        if self.is_ready:
            return _("Ready")
        if self.job_id:
            return self.job.get_status_display()
        return _("Pending")

    @property
    def parameter_texts(self) -> list[tuple[str, str]]:
        """The parameters as the reader's words: labels translated, dates Jalali in Persian."""
        texts = []
        for key, value in sorted(self.parameters.items()):
            if key in ("from", "to"):
                value = format_date(value)
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            texts.append((PARAMETER_LABELS.get(key, key), value))
        return texts

    @property
    def status_badge_class(self) -> str:
        """The badge colour of status_text: the job's own while it is being built."""
        if self.is_expired:
            return "bg-secondary"
        if self.is_ready:
            return "bg-success"
        return self.job.badge_class if self.job_id else "bg-secondary"

    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    def get_download_url(self) -> str:
        return reverse("reports:download", args=[self.pk])
