from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    """The CRM shell: base templates, navigation, dashboard, demo data and demo tasks."""

    name = "crm"
    verbose_name = _("CRM")
