from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "gridgov.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from gridgov.intake.open311 import selectors  # noqa: F401 - the API key cache follows every key save
