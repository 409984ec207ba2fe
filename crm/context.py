"""Template context for the CRM shell: navigation and ops links for staff."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    ("dashboard", _("Dashboard"), "dashboard"),
    ("jobs", _("Jobs"), "job-list"),
    ("reports", _("Reports"), "reports:page"),
]
# Texts with %(name)s placeholders that the browser fills in ({% trans %} cannot hold them).
FORM_TEXTS = {
    "tagOption": _("%(name)s (%(count)s contacts)"),
    "audience": _("Audience: %(count)s contacts"),
    "smsCounter": _("%(chars)s characters, %(segments)s SMS"),
}
OPS_LINKS = [
    (_("Admin"), "admin:index"),
    (_("Periodic tasks"), "admin:django_celery_beat_periodictask_changelist"),
    (_("Task results"), "admin:django_celery_results_taskresult_changelist"),
]


def crm(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    nav = []
    for nav_id, label, url_name in NAV:
        url = reverse(url_name)
        active = request.path == url or (url != "/" and request.path.startswith(url))
        nav.append({"id": nav_id, "label": label, "url": url, "active": active})
    context = {"crm_nav": nav, "crm_texts": FORM_TEXTS}
    if user.is_staff:
        context["crm_ops_links"] = [{"label": label, "url": reverse(name)} for label, name in OPS_LINKS] + [
            {"label": _("Flower"), "url": settings.FLOWER_URL, "external": True}
        ]
    return context
