"""Who is told about an alert. Called by the actions inside their transaction; the inbox rows commit with the alert
and outbound channels run after commit (``notifications.actions.notify``)."""

from __future__ import annotations

from django.urls import reverse

from gridgov.accounts.models import User
from gridgov.alerts.models import Alert
from gridgov.alerts.selectors import staff_over
from gridgov.notifications.actions import notify
from gridgov.notifications.choices import NotificationKind

#: The inbox kind of early warnings.
NOTIFICATION_KIND = NotificationKind.EARLY_WARNING


def alert_link(alert: Alert) -> str:
    return reverse("alerts:detail", args=[alert.pk])


def raised(actor: User | None, alert: Alert) -> None:
    """A new alert: the leaders and dispatchers whose area contains the alert's area are told."""
    notify(
        actor=actor,
        recipients=staff_over(alert.area_path),
        kind=NOTIFICATION_KIND,
        title=alert.title,
        body=alert.summary,
        link=alert_link(alert),
        target=alert,
        data={"rule": alert.rule.code, "severity": alert.severity},
    )
