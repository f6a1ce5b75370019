"""The deadline sweep (an action run by a schedule): colour open cases yellow or red and send the notices.

``gridgov sweep_overdue`` runs it from cron, a systemd timer or a task queue. It is idempotent: a case whose
colour did not change is not touched, so running it twice in a row writes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases import notices
from gridgov.cases.choices import AlertLevel, CaseStatus
from gridgov.cases.deadlines import alert_level
from gridgov.cases.models import Case
from gridgov.cases.timeline import lock_case, record_event, save_case
from gridgov.core.calendar import pinned_calendar

#: Statuses whose deadline is watched (suspended cases keep their colour while the clock stands still).
WATCHED = (
    CaseStatus.REPORTED,
    CaseStatus.ACCEPTED,
    CaseStatus.DISPATCHED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.REOPENED,
)


@dataclass
class SweepResult:
    checked: int = 0
    changed: dict[str, int] = field(
        default_factory=lambda: {AlertLevel.YELLOW: 0, AlertLevel.RED: 0, AlertLevel.NORMAL: 0}
    )


def sweep_deadlines(*, actor: User, now: datetime | None = None, batch: int = 500) -> SweepResult:
    """Recolour every watched case whose colour changed; each change is an event and a notice."""
    require(actor, Verb.MANAGE_CALENDAR)  # the system account (an administrator) runs the sweep
    now = now or timezone.now()
    result = SweepResult()
    candidates = Case.objects.filter(status__in=WATCHED).exclude(
        accept_by__isnull=True, resolve_by__isnull=True
    )
    with pinned_calendar():
        for case in candidates.only(
            "pk", "status", "alert_level", "reported_at", "accept_by", "clock_started_at", "resolve_by"
        ).iterator(chunk_size=batch):
            result.checked += 1
            if alert_level(case, now) == case.alert_level:
                continue
            with transaction.atomic():
                locked = lock_case(case)
                level = alert_level(locked, now)
                if level == locked.alert_level:
                    continue
                before = locked.alert_level
                locked.alert_level = level
                record_event(locked, actor=actor, verb="alert", data={"from": before, "to": level}, at=now)
                save_case(locked)
                if level != AlertLevel.NORMAL:
                    notices.alert(locked, level)
            result.changed[level] += 1
    return result
