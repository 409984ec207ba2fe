from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.reports_page, name="page"),
    path("api/", views.ReportRequestView.as_view(), name="api-request"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="download"),
]
