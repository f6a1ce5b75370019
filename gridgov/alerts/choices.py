"""Enumerations of the early-warning app and how its timeline verbs read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    """What a rule looks for; each kind has its own parameters (``rules.PARAMS``) and detector."""

    REPEAT_DISPUTE = "repeat_dispute", _("Repeat dispute")
    SURGE = "surge", _("Surge of a category")
    URGENT_CLUSTER = "urgent_cluster", _("Cluster of urgent reports")


class Severity(models.TextChoices):
    """How loud an alert is; the list shows high first among alerts of the same status."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


#: Sort rank of each severity (lower first).
SEVERITY_RANK: dict[str, int] = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class AlertStatus(models.TextChoices):
    """open → acknowledged → following → closed; ``workflow.TRANSITIONS`` says which verb moves where."""

    OPEN = "open", _("Awaiting response")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FOLLOWING = "following", _("Being followed up")
    CLOSED = "closed", _("Concluded")


#: Sort rank of each status on the list (open first, closed last).
STATUS_RANK: dict[str, int] = {
    AlertStatus.OPEN: 0,
    AlertStatus.ACKNOWLEDGED: 1,
    AlertStatus.FOLLOWING: 2,
    AlertStatus.CLOSED: 3,
}

#: How each timeline verb reads on the pages.
EVENT_LABELS = {
    "raise": _("Alert raised"),
    "link_case": _("Case linked"),
    "acknowledge": _("Acknowledged"),
    "follow_up": _("Follow-up note"),
    "close": _("Closed with a conclusion"),
}
