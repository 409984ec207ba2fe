from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ops.views import metrics

from .api import json_or_html
from .health import healthz

# URLs no view matched (or bodies Django refused before any view ran): JSON under the API paths.
handler400 = json_or_html(400, _("The request is invalid."), defaults.bad_request)
handler404 = json_or_html(404, _("Not found."), defaults.page_not_found)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("jobs/", include("jobs.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("", include("crm.urls")),
    path("", include("jobs.ui_urls")),
]
