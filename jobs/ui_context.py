"""Template context for the CRM shell: navigation, ops links for staff, and the
header jobs widget's initial data (computed only when a template uses it)."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


def _url(name, fallback, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


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
}


def crm(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    context = {
        "crm_nav": [
            {"id": "dashboard", "label": _("Dashboard"), "url": _url("dashboard", "/")},
            {"id": "jobs", "label": _("Jobs"), "url": _url("job-list", "/jobs/")},
            {"id": "reports", "label": _("Reports"), "url": _url("reports:page", "/reports/")},
        ],
        # A callable: the template engine calls it only where the widget is rendered.
        "jobs_widget_data": lambda: _widget_data(request),
        "jobs_widget_texts": WIDGET_TEXTS,
    }
    if user.is_staff:
        context["crm_ops_links"] = [
            {"label": _("Admin"), "url": _url("admin:index", "/admin/")},
            {
                "label": _("Periodic tasks"),
                "url": _url("admin:django_celery_beat_periodictask_changelist", "/admin/django_celery_beat/"),
            },
            {
                "label": _("Task results"),
                "url": _url("admin:django_celery_results_taskresult_changelist", "/admin/django_celery_results/"),
            },
            {"label": _("Flower"), "url": settings.FLOWER_URL, "external": True},
        ]
    for item in context["crm_nav"]:
        url = item["url"]
        item["active"] = request.path == url or (url != "/" and request.path.startswith(url))
    return context


def _widget_data(request):
    from .ui_views import widget_data

    return widget_data(request)
