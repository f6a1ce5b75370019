"""Writes of the early-warning app: the scanner's raise/refresh, the verbs of leaders and dispatchers, the rules.

Every verb is a typed function with a required ``actor``: it checks ``accounts.permissions``, runs in one
transaction, locks the alert, checks ``workflow.TRANSITIONS``, appends its one ``AlertEvent`` and queues
notifications that are delivered after commit.

Permissions (no verb of their own; the case verbs of the same people are reused):

* seeing alerts: ``Verb.VIEW_ANALYSIS`` on the alert's area (grid chiefs, dispatchers and leaders, like every
  command-center page);
* acting on them (acknowledge, follow-up note, link a case, close): ``Verb.URGE_CASE`` on the alert's area,
  i.e. the dispatchers and leaders of the area: an alert asks a command center to look and chase, which is what
  催办 allows; 督办 (``SUPERVISE_CASE``) would leave the dispatchers, who do the following up, out;
* raising (the scanner): ``Verb.MANAGE_TAXONOMY``, held by the system account it runs as; rules are configuration
  like the taxonomy, and editing them needs the same verb.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can, require
from gridgov.alerts import notices
from gridgov.alerts.choices import AlertStatus
from gridgov.alerts.detectors import Finding, common_area
from gridgov.alerts.models import Alert, AlertCase, AlertEvent, AlertRule
from gridgov.alerts.workflow import AlertVerb, is_open, target_status
from gridgov.cases.models import Case
from gridgov.core.audit import save_audited
from gridgov.core.exceptions import InvalidTransition

#: Who may see alerts (on the alert's area).
VIEW_VERB = Verb.VIEW_ANALYSIS
#: Who may act on alerts (on the alert's area).
ACT_VERB = Verb.URGE_CASE
#: Who may raise alerts and edit rules.
MANAGE_VERB = Verb.MANAGE_TAXONOMY


# --- Timeline mechanics ------------------------------------------------------------------------------------------


def lock_alert(alert: Alert | int) -> Alert:
    """Re-read the alert under a row lock (SELECT … FOR UPDATE; SQLite serialises writers by itself)."""
    pk = alert.pk if isinstance(alert, Alert) else alert
    return Alert.objects.select_for_update(of=("self",)).select_related("rule", "area").get(pk=pk)


def record_event(
    alert: Alert,
    *,
    actor: User | None,
    verb: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AlertEvent:
    """Append one row to the alert's timeline."""
    return AlertEvent.objects.create(
        alert=alert,
        at=at or timezone.now(),
        actor=actor,
        verb=verb,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _move(
    alert: Alert, verb: AlertVerb, *, actor: User, note: str = "", data: dict[str, Any] | None = None
) -> AlertEvent:
    before = alert.status
    alert.status = target_status(before, verb)
    return record_event(
        alert, actor=actor, verb=str(verb), from_status=before, to_status=alert.status, note=note, data=data
    )


def _require_text(value: str, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field_name: message})
    return text


# --- The scanner -------------------------------------------------------------------------------------------------


class Outcome(StrEnum):
    RAISED = "raised"
    EXTENDED = "extended"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class RaiseResult:
    """What ``raise_or_refresh_alert`` did: a new alert, new evidence on an open one, nothing new, or nothing
    because a closed alert already covers every case (or a surge is cooling down)."""

    outcome: Outcome
    alert: Alert | None = None
    added: list[str] = field(default_factory=list)


def raise_or_refresh_alert(*, actor: User, finding: Finding, now: datetime | None = None) -> RaiseResult:
    """Raise an alert for a situation the scanner found, or extend the open alert of the same situation.

    The open alert of the same rule with the same key (or, for repeat disputes and clusters, sharing a case) gets
    the finding's new cases as evidence, its figures and words are brought up to date and its area widens to hold
    them: one "link_case" event. With nothing new nothing is written, so a rescan changes nothing. Without an open
    alert, a new one is raised ("raise" event, the leaders and dispatchers of its area notified), unless closed
    alerts of the situation already hold every case (someone concluded it; only a new case brings it back) or,
    for a surge, one was closed less than ``cooldown_days`` ago.
    """
    require(actor, MANAGE_VERB)
    now = now or timezone.now()
    ids = list(dict.fromkeys(finding.case_ids))
    if not ids:
        return RaiseResult(Outcome.UNCHANGED)
    with transaction.atomic():
        # One scanner at a time per rule: two concurrent scans cannot both raise the same situation.
        rule = AlertRule.objects.select_for_update().get(pk=finding.rule.pk)
        match = _open_match(rule, finding, ids)
        if match is not None:
            return _extend(actor, match, finding, ids, now)
        closed = Alert.objects.filter(rule=rule, status=AlertStatus.CLOSED)
        same = Q(dedup_key=finding.key)
        closed = closed.filter(same | Q(links__case_id__in=ids) if finding.by_evidence else same).distinct()
        if (
            finding.cooldown_days
            and closed.filter(
                dedup_key=finding.key, closed_at__gt=now - timedelta(days=finding.cooldown_days)
            ).exists()
        ):
            return RaiseResult(Outcome.SKIPPED)
        covered = set(AlertCase.objects.filter(alert__in=closed).values_list("case_id", flat=True))
        if set(ids) <= covered:
            return RaiseResult(Outcome.SKIPPED)
        alert = Alert.objects.create(
            rule=rule,
            dedup_key=finding.key,
            area=finding.area,
            area_path=finding.area.path,
            title=finding.title[:200],
            summary=finding.summary,
            severity=rule.severity,
            status=AlertStatus.OPEN,
            data=finding.data,
            raised_at=now,
        )
        numbers = _link(alert, ids, actor=None, at=now)
        record_event(
            alert,
            actor=actor,
            verb="raise",
            to_status=alert.status,
            data={"cases": numbers, "rule": rule.code, "key": finding.key},
            at=now,
        )
        notices.raised(actor, alert)
    return RaiseResult(Outcome.RAISED, alert, numbers)


def _open_match(rule: AlertRule, finding: Finding, ids: list[int]) -> Alert | None:
    candidates = Alert.objects.filter(rule=rule).exclude(status=AlertStatus.CLOSED)
    match = candidates.filter(dedup_key=finding.key).first()
    if match is None and finding.by_evidence:
        match = candidates.filter(links__case_id__in=ids).order_by("raised_at", "pk").first()
    if match is None:
        return None
    locked = lock_alert(match)
    return locked if is_open(locked.status) else None  # closed meanwhile: the situation starts a new alert


def _extend(actor: User, alert: Alert, finding: Finding, ids: list[int], now: datetime) -> RaiseResult:
    existing = set(alert.links.values_list("case_id", flat=True))
    new = [pk for pk in ids if pk not in existing]
    if not new:
        return RaiseResult(Outcome.UNCHANGED, alert)
    numbers = _link(alert, new, actor=None, at=now)
    wider = common_area([alert.area_path, finding.area.path])
    if wider is not None and wider.pk != alert.area_id:
        alert.area, alert.area_path = wider, wider.path
    alert.title, alert.summary, alert.data = finding.title[:200], finding.summary, finding.data
    alert.save()
    record_event(alert, actor=actor, verb="link_case", data={"cases": numbers, "by": "scan"}, at=now)
    notices.extended(actor, alert, numbers)
    return RaiseResult(Outcome.EXTENDED, alert, numbers)


def _link(alert: Alert, case_ids: list[int], *, actor: User | None, at: datetime) -> list[str]:
    """Add evidence; returns the case numbers in the order given."""
    AlertCase.objects.bulk_create(
        [AlertCase(alert=alert, case_id=pk, added_at=at, added_by=actor) for pk in case_ids]
    )
    numbers = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "number"))
    return [numbers[pk] for pk in case_ids]


# --- Leaders and dispatchers -------------------------------------------------------------------------------------


def acknowledge_alert(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """已知悉: someone at the command center has seen the alert and takes it on."""
    with transaction.atomic():
        alert = lock_alert(alert)
        require(actor, ACT_VERB, alert)
        _move(alert, AlertVerb.ACKNOWLEDGE, actor=actor, note=(note or "").strip())
        alert.acknowledged_at = timezone.now()
        alert.save()
    return alert


def follow_up_alert(*, actor: User, alert: Alert, note: str) -> Alert:
    """跟进: a note on what was done or found; the alert is being followed from the first one on."""
    text = _require_text(note, "note", _("Write what was done or found."))
    with transaction.atomic():
        alert = lock_alert(alert)
        require(actor, ACT_VERB, alert)
        _move(alert, AlertVerb.FOLLOW_UP, actor=actor, note=text)
        if alert.acknowledged_at is None:
            alert.acknowledged_at = timezone.now()
        alert.save()
    return alert


def close_alert(*, actor: User, alert: Alert, conclusion: str) -> Alert:
    """办结: the alert ends with a conclusion (what the situation was and what was done about it)."""
    text = _require_text(conclusion, "conclusion", _("Write the conclusion."))
    with transaction.atomic():
        alert = lock_alert(alert)
        require(actor, ACT_VERB, alert)
        _move(alert, AlertVerb.CLOSE, actor=actor, note=text)
        alert.conclusion, alert.closed_at = text, timezone.now()
        alert.save()
    return alert


def link_case_to_alert(*, actor: User, alert: Alert, case: Case, note: str = "") -> Alert:
    """Add a case the scanner did not see (another report of the same situation) to the alert's evidence."""
    with transaction.atomic():
        alert = lock_alert(alert)
        require(actor, ACT_VERB, alert)
        if not can(actor, Verb.VIEW_CASE, case):
            raise ValidationError({"case": _("No case with this number in your area.")})
        if not is_open(alert.status):
            raise InvalidTransition(_("The alert is closed; it can no longer be changed."))
        if alert.links.filter(case=case).exists():
            raise ValidationError({"case": _("This case is already part of the alert.")})
        now = timezone.now()
        numbers = _link(alert, [case.pk], actor=actor, at=now)
        record_event(
            alert, actor=actor, verb="link_case", note=(note or "").strip(), data={"cases": numbers}, at=now
        )
        alert.save(update_fields=["updated_at"])
    return alert


def link_case_number_to_alert(*, actor: User, alert: Alert, number: str, note: str = "") -> Alert:
    """``link_case_to_alert`` for a case named by its number, as the alert page and the API take it: a number
    that names no case is refused with the same message as a case the user may not see."""
    require(actor, ACT_VERB, alert)
    case = Case.objects.filter(number=(number or "").strip()).first()
    if case is None:
        raise ValidationError({"case": _("No case with this number in your area.")})
    return link_case_to_alert(actor=actor, alert=alert, case=case, note=note)


# --- Rules -------------------------------------------------------------------------------------------------------


def save_rule(*, actor: User, rule: AlertRule, changed: list[str] | None = None) -> AlertRule:
    """Create or change a rule (the admin's save): parameters validated for the kind, the change audited."""
    require(actor, MANAGE_VERB)
    with transaction.atomic():
        data = {"fields": sorted(changed or []), "params": rule.params, "active": rule.is_active}
        save_audited(actor=actor, obj=rule, noun="alert_rule", data=data)
    return rule
