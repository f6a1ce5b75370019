"""Reads of the early-warning app shared by pages, notices and the scanner."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.db.models import QuerySet

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.alerts.choices import SEVERITY_RANK, STATUS_RANK, AlertStatus
from gridgov.alerts.models import Alert, AlertEvent, AlertRule
from gridgov.cases.models import Case
from gridgov.core.scope import path_prefixes
from gridgov.geo.models import Area


def alerts_in(area: Area, *, status: str = "", rule: str = "", severity: str = "") -> QuerySet[Alert]:
    """Alerts about ``area`` or any area under it: open first, then acknowledged, followed and closed; within a
    status the most severe and then the newest first. ``rule`` is a rule code."""
    alerts = Alert.objects.filter(area_path__within=area.path).select_related("rule", "area")
    if status:
        alerts = alerts.filter(status=status)
    if rule:
        alerts = alerts.filter(rule__code=rule)
    if severity:
        alerts = alerts.filter(severity=severity)
    return alerts.annotate(
        status_rank=_rank("status", STATUS_RANK),
        severity_rank=_rank("severity", SEVERITY_RANK),
        evidence_count=models.Count("links", distinct=True),
    ).order_by("status_rank", "severity_rank", "-raised_at", "-id")


def _rank(field: str, ranks: Mapping[str, int]) -> models.Case:
    return models.Case(
        *[models.When(**{field: value}, then=models.Value(rank)) for value, rank in ranks.items()],
        default=models.Value(len(ranks)),
        output_field=models.IntegerField(),
    )


def status_counts(area: Area) -> dict[str, int]:
    """How many alerts of each status lie in ``area`` (one GROUP BY)."""
    counts = {status: 0 for status in AlertStatus.values}
    rows = (
        Alert.objects.filter(area_path__within=area.path)
        .values("status")
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def evidence_of(alert: Alert) -> QuerySet[Case]:
    """The alert's cases in the order they were reported."""
    return (
        Case.objects.filter(alert_links__alert=alert)
        .select_related("category", "grid")
        .order_by("reported_at", "pk")
    )


def timeline_of(alert: Alert) -> QuerySet[AlertEvent]:
    return alert.events.select_related("actor").order_by("at", "id")


def rules_for_filter() -> QuerySet[AlertRule]:
    return AlertRule.objects.order_by("code")


def staff_over(area_path: str) -> QuerySet[User]:
    """The leaders and dispatchers whose area contains ``area_path``: who is told of a new alert there."""
    return (
        User.objects.filter(
            is_active=True,
            grants__role__in=[Role.LEADER, Role.DISPATCHER],
            grants__area__path__in=path_prefixes(area_path),
        )
        .distinct()
        .order_by("username")
    )
