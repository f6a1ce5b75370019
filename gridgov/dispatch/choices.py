from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    """What kind of unit a department is. Towns name their units differently; the kind lets data say
    "the justice office of this town" whatever its local name."""

    COMMAND = "command", _("Command center")
    COMPREHENSIVE = "comprehensive", _("Comprehensive governance center")
    TRANSPORT = "transport", _("Transport / town construction")
    URBAN = "urban", _("Urban management")
    SANITATION = "sanitation", _("Sanitation")
    WATER = "water", _("Water affairs / river chief office")
    JUSTICE = "justice", _("Justice office")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
    EMERGENCY = "emergency", _("Emergency management / fire")
    UTILITIES = "utilities", _("Utilities (broadcasting, power, water supply)")
    ENVIRONMENT = "environment", _("Ecology and environment")
    HOUSING = "housing", _("Housing and construction")
    LEGAL = "legal", _("Legal services")
    MARKET = "market", _("Market supervision")
    HEALTH = "health", _("Health")
    POLICE = "police", _("Police station")
    LABOR = "labor", _("Human resources and social security")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    HELPER = "helper", _("Helper")


class AssignmentStatus(models.TextChoices):
    """An assignment's own progress; the lead's drives the case, helpers report their part."""

    PENDING = "pending", _("Awaiting signature")
    SIGNED = "signed", _("Signed")
    RESOLVED = "resolved", _("Done")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")
