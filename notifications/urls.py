from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("api/tags/", views.TagListView.as_view(), name="api-tags"),
    path("api/<str:channel>/bulk/", views.BulkSendView.as_view(), name="api-bulk"),
    path("sms/new/", views.new_campaign, {"channel": "sms"}, name="sms-new"),
    path("email/new/", views.new_campaign, {"channel": "email"}, name="email-new"),
]
