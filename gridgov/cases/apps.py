from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from gridgov.cases import selectors  # noqa: F401 - the category cache follows every category save
        from gridgov.cases.actions import recompute_provisional
        from gridgov.core.calendar import register_recompute_hook

        # Deadlines computed on the weekends-only fallback are recomputed when a year's holiday schedule arrives.
        register_recompute_hook(recompute_provisional)
