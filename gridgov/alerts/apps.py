from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Early warning (预警): rules with thresholds that raise alerts for leaders, followed to the end like cases."""

    name = "gridgov.alerts"
    label = "alerts"
    verbose_name = _("Early warning")
