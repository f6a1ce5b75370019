from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    """The command center (指挥中心): map, analysis, accountability and reports; it reads, never writes cases."""

    name = "gridgov.command"
    label = "command"
    verbose_name = _("Command center")
