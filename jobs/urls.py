from django.urls import include, path

from . import api

app_name = "jobs"

one_job = [
    path("", api.JobDetailView.as_view(), name="api-detail"),
    path("cancel/", api.CancelJobView.as_view(), name="api-cancel"),
    path("retry/", api.RetryJobView.as_view(), name="api-retry"),
]

urlpatterns = [
    path("api/active/", api.ActiveJobsView.as_view(), name="api-active"),
    path("api/history/", api.JobHistoryView.as_view(), name="api-history"),
    path("api/<int:pk>/", include(one_job)),
]
