from django.urls import path

from . import api

app_name = "jobs"

urlpatterns = [
    path("api/active/", api.ActiveJobsView.as_view(), name="api-active"),
    path("api/history/", api.JobHistoryView.as_view(), name="api-history"),
    path("api/<int:pk>/", api.JobDetailView.as_view(), name="api-detail"),
    path("api/<int:pk>/cancel/", api.CancelJobView.as_view(), name="api-cancel"),
    path("api/<int:pk>/retry/", api.RetryJobView.as_view(), name="api-retry"),
]
