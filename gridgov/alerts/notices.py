"""Who is told about an alert. Called by the actions inside their transaction; the inbox rows commit with the alert
and outbound channels run after commit (``notifications.actions.notify``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

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


def extended(actor: User | None, alert: Alert, numbers: list[str]) -> None:
    """New evidence for an open alert (the situation goes on or spreads): the leaders and dispatchers over its
    area, which may have widened, are told which cases were added. A scan that finds nothing new tells no one."""
    notify(
        actor=actor,
        recipients=staff_over(alert.area_path),
        kind=NOTIFICATION_KIND,
        title=_("Alert updated: %(title)s") % {"title": alert.title},
        body=_("New cases: %(numbers)s") % {"numbers": ", ".join(numbers)},
        link=alert_link(alert),
        target=alert,
        data={"rule": alert.rule.code, "severity": alert.severity, "cases": numbers},
    )
