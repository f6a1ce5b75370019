"""The alert's small state machine as a pure table: which verb moves an alert from which status to which.

``follow_up`` may start from an open alert (writing the first note acknowledges it implicitly) and may repeat while
the alert is followed. ``close`` ends the alert from any status but closed; a closed alert never reopens: the
scanner raises a new one when the situation comes back with new cases.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from gridgov.alerts.choices import AlertStatus
from gridgov.core.exceptions import InvalidTransition


class AlertVerb(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"


S = AlertStatus

TRANSITIONS: dict[AlertVerb, dict[str, str]] = {
    AlertVerb.ACKNOWLEDGE: {S.OPEN: S.ACKNOWLEDGED},
    AlertVerb.FOLLOW_UP: {S.OPEN: S.FOLLOWING, S.ACKNOWLEDGED: S.FOLLOWING, S.FOLLOWING: S.FOLLOWING},
    AlertVerb.CLOSE: {S.OPEN: S.CLOSED, S.ACKNOWLEDGED: S.CLOSED, S.FOLLOWING: S.CLOSED},
}


def allowed(status: str, verb: AlertVerb) -> bool:
    return status in TRANSITIONS[verb]


def target_status(status: str, verb: AlertVerb) -> str:
    """The status after ``verb``, or ``InvalidTransition``."""
    try:
        return TRANSITIONS[verb][status]
    except KeyError:
        if status == S.CLOSED:
            raise InvalidTransition(_("The alert is closed; it can no longer be changed.")) from None
        raise InvalidTransition() from None


def is_open(status: str) -> bool:
    return status != S.CLOSED
