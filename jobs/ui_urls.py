"""CRM pages (dashboard, jobs pages); filled by the UI work."""

urlpatterns = []
