from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The Nantong demo region: data and its loader, not a domain app (it owns no models)."""

    name = "gridgov.demo"
    label = "demo"
    verbose_name = _("Demo data")
