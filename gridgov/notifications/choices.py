"""Enumerations of the notifications app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """Why a user is told something: the inbox groups and labels by it, channels may route by it."""

    ASSIGNMENT = "assignment", _("Assignment")
    RETURNED = "returned", _("Returned")
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")
    SUPERVISION = "supervision", _("Supervision")
    URGE = "urge", _("Reminder")
    RATING = "rating", _("Rating")
    ESCALATED = "escalated", _("Escalated")
    EXTENSION = "extension", _("Extension")
    SUSPENSION = "suspension", _("Suspension")
    SYSTEM = "system", _("System")
    URGENT = "urgent", _("Urgent case")
    EARLY_WARNING = "early_warning", _("Early warning")


class DeliveryStatus(models.TextChoices):
    """Outcome of the latest attempt to send a notification through one outbound channel."""

    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")
