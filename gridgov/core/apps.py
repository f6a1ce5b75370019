from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from gridgov.core import checks, lookups  # noqa: F401 - registers the deploy checks and ``within``
