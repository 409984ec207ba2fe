"""CRM pages, mounted at the site root (the JSON API lives in jobs.urls at /jobs/api/)."""

from django.urls import path

from . import ui_views

urlpatterns = [
    path("jobs/", ui_views.job_list, name="job-list"),
    path("jobs/<int:pk>/", ui_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/cancel/", ui_views.job_cancel, name="job-cancel"),
    path("jobs/<int:pk>/retry/", ui_views.job_retry, name="job-retry"),
]
