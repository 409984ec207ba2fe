from django.urls import path

from . import views

urlpatterns = [
    path("api-token/", views.api_token, name="api-token"),
    path("api-token/create/", views.create_api_token, name="api-token-create"),
    path("api-token/revoke/", views.revoke_api_token, name="api-token-revoke"),
]
