from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.TextChoices):
    """诉求类型: what the reporter asks for, independent of the category."""

    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    TIP_OFF = "tip_off", _("Report of a violation")
    SUGGESTION = "suggestion", _("Suggestion")
    OTHER = "other", _("Other")
