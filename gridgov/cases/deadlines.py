"""Deadlines of a case, counted in Chinese working days and hours (``core.calendar``).

* accept: ``ACCEPT_WITHIN_HOURS`` working hours after the report (the command center registers it);
* sign: ``SIGN_WITHIN_DAYS`` working days after dispatch (each department signs for its assignment);
* resolve: the category's SLA (``budget_days``, plus approved extensions) from when the clock started, plus the
  working hours the case spent suspended (挂账 stops the clock); a leader's supervision (督办) may set an explicit
  deadline instead.

Deadlines are derived from those stored facts, so they can be recomputed at any time, e.g. when the official
holiday schedule of a year arrives and replaces the weekends-only fallback (``recompute_provisional``).
A case turns yellow when ``YELLOW_AT`` (75 %) of its working time is used, red when overdue.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from gridgov.cases.choices import AlertLevel, CaseStatus
from gridgov.cases.models import Case
from gridgov.core.calendar import Deadline, add_working_days, add_working_hours, working_time_between


def accept_deadline(reported_at: datetime) -> Deadline:
    return add_working_hours(reported_at, settings.GRIDGOV["ACCEPT_WITHIN_HOURS"])


def sign_deadline(dispatched_at: datetime) -> Deadline:
    return add_working_days(dispatched_at, settings.GRIDGOV["SIGN_WITHIN_DAYS"])


def resolve_deadline(case: Case) -> Deadline | None:
    """The resolve deadline from the case's clock facts (None while no clock runs, e.g. before acceptance)."""
    if case.supervise_by is not None:
        return Deadline(at=case.supervise_by, provisional=False)
    if case.clock_started_at is None:
        return None
    base = add_working_days(case.clock_started_at, case.budget_days)
    if case.suspended_hours <= 0:
        return base
    shifted = add_working_hours(base.at, case.suspended_hours)
    return Deadline(at=shifted.at, provisional=base.provisional or shifted.provisional)


def apply_resolve_deadline(case: Case) -> None:
    """Set ``resolve_by`` and ``deadline_provisional`` from the clock facts (the caller saves)."""
    deadline = resolve_deadline(case)
    case.resolve_by = deadline.at if deadline else None
    case.deadline_provisional = bool(deadline and deadline.provisional)


def alert_level(case: Case, now: datetime) -> str:
    """Normal, yellow (75 % of the working time used) or red (overdue) for the stage the case is in."""
    start: datetime | None
    end: datetime | None
    if case.status == CaseStatus.REPORTED:
        start, end = case.reported_at, case.accept_by
    elif case.status in (
        CaseStatus.ACCEPTED,
        CaseStatus.DISPATCHED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.REOPENED,
    ):
        start, end = case.clock_started_at, case.resolve_by
    elif case.status == CaseStatus.SUSPENDED:
        return str(case.alert_level)  # the clock is stopped: the colour stays as it was
    else:
        return AlertLevel.NORMAL
    if start is None or end is None:
        return AlertLevel.NORMAL
    if now > end:
        return AlertLevel.RED
    allowed = working_time_between(start, end)
    used = working_time_between(start, now)
    if allowed <= 0 or used >= settings.GRIDGOV["YELLOW_AT"] * allowed:
        return AlertLevel.YELLOW
    return AlertLevel.NORMAL
