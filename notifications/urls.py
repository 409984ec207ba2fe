from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("api/tags/", views.TagListView.as_view(), name="api-tags"),
    path("api/<str:channel>/bulk/", views.BulkSendView.as_view(), name="api-bulk"),
    path("api/campaigns/<int:pk>/", views.CampaignView.as_view(), name="api-campaign"),
    path("api/campaigns/<int:pk>/deliveries/", views.CampaignDeliveriesView.as_view(), name="api-deliveries"),
    path("api/campaigns/<int:pk>/retry-failed/", views.RetryFailedView.as_view(), name="api-retry-failed"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/deliveries.csv", views.CampaignCsvView.as_view(), name="campaign-csv"),
    path("campaigns/<int:pk>/retry-failed/", views.campaign_retry_failed, name="campaign-retry-failed"),
    path("sms/new/", views.new_campaign, {"channel": "sms"}, name="sms-new"),
    path("email/new/", views.new_campaign, {"channel": "email"}, name="email-new"),
]
