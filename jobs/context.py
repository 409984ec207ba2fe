"""Template context for the header jobs widget: its first render's data (computed
only when a template uses it), its texts, and the status codes the browser reads."""

from django.utils.translation import gettext_lazy as _

from .models import BackgroundJob

# Cancelling a job of more items than this asks for confirmation first (a big send).
CONFIRM_CANCEL_ABOVE = 100

# Strings the widget's JavaScript shows, translated on the server.
WIDGET_TEXTS = {
    "noActive": _("No active jobs."),
    "noRecent": _("No recent jobs."),
    "completed": _("completed"),
    "failed": _("failed"),
    "cancelled": _("cancelled"),
    "reportReady": _("report ready"),
    "download": _("download"),
    "details": _("Details"),
    "close": _("Close"),
    "counts": _("succeeded: %(success)s, failed: %(failed)s"),
    "progressLabel": _("Progress of %(title)s"),
    "completedWithFailures": _("Completed with failures"),
    "queuePosition": _("%(position)s in line"),
    "etaUnderMinute": _("less than a minute left"),
    "etaMinutes": _("about %(minutes)s min left"),
    "etaHours": _("about %(hours)s h left"),
    "rate": _("%(rate)s per second"),
    "scheduledFor": _("Scheduled for %(date)s"),
    "detailPage": _("Open the details page"),
}


def status_codes() -> dict:
    """BackgroundJob.Status for templates and the browser: {"PENDING": 0, ..., "active": [0, 1], "retryable": [3, 4]}."""
    codes = {status.name: status.value for status in BackgroundJob.Status}
    codes["active"] = [int(status) for status in BackgroundJob.ACTIVE]
    codes["retryable"] = [int(status) for status in BackgroundJob.RETRYABLE]
    return codes


def jobs_widget(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {
        # A callable: the template engine calls it only where the widget is rendered.
        "jobs_widget_data": lambda: _widget_data(request),
        "jobs_widget_texts": WIDGET_TEXTS,
        "job_status_codes": status_codes(),
        "JobStatus": BackgroundJob.Status,
        "confirm_cancel_above": CONFIRM_CANCEL_ABOVE,
    }


def _widget_data(request):
    from .ui_views import widget_data

    return widget_data(request)
