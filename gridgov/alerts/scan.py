"""The scanner (an action run by a schedule): run every active rule and raise or extend alerts.

``gridgov alerts scan`` runs it from cron, a systemd timer or a task queue. It is idempotent: a situation already
alerted is extended only with cases it did not hold, so a second scan in a row writes nothing. Each finding is its
own transaction; one that fails (a concurrent scan raised it first) is reported and left to the next scan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.permissions import require
from gridgov.alerts.actions import MANAGE_VERB, Outcome, RaiseResult, raise_or_refresh_alert
from gridgov.alerts.detectors import detect
from gridgov.alerts.models import AlertRule
from gridgov.geo.models import Area

logger = logging.getLogger(__name__)


@dataclass
class ScanResult:
    """What one scan did, rule by rule (``results`` in the order of rules and findings)."""

    now: datetime
    rules: list[str] = field(default_factory=list)
    results: list[tuple[AlertRule, RaiseResult]] = field(default_factory=list)
    failed: list[tuple[AlertRule, str]] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for _rule, result in self.results if result.outcome == outcome)


def scan(
    *, actor: User, now: datetime | None = None, area: Area | None = None, rules: list[str] | None = None
) -> ScanResult:
    """Run the active rules (or those with the given codes) at ``now`` on the cases of ``area`` (default: all)."""
    require(actor, MANAGE_VERB)
    now = now or timezone.now()
    chosen = AlertRule.objects.filter(is_active=True).select_related("area").prefetch_related("categories")
    if rules:
        chosen = chosen.filter(code__in=rules)
    result = ScanResult(now=now)
    for rule in chosen.order_by("code"):
        result.rules.append(rule.code)
        try:
            findings = detect(rule, now=now, within=area)
        except ValidationError as error:  # parameters broken outside the admin: the other rules still run
            logger.error("alert scan: rule %s has invalid parameters: %s", rule.code, error.messages)
            result.failed.append((rule, "params"))
            continue
        for finding in findings:
            try:
                outcome = raise_or_refresh_alert(actor=actor, finding=finding, now=now)
            except IntegrityError as error:
                logger.warning("alert scan: %s %s not saved: %s", rule.code, finding.key, error)
                result.failed.append((rule, finding.key))
                continue
            result.results.append((rule, outcome))
    return result
