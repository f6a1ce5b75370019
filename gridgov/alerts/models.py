"""Early warning (预警): rules with thresholds, the alerts they raise, the cases behind them and the timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.alerts.choices import EVENT_LABELS, AlertStatus, RuleKind, Severity
from gridgov.alerts.rules import validate_params
from gridgov.core.models import TimelineEvent, TimeStampedModel
from gridgov.core.scope import Scope

if TYPE_CHECKING:
    from gridgov.cases.models import Case


class AlertRule(TimeStampedModel):
    """One early-warning rule: a kind of pattern (repeat dispute, surge, urgent cluster) with its thresholds.

    Rules are data, edited in the admin: ``params`` holds the thresholds of the kind (``rules.PARAMS``, validated
    on save and completed with defaults when read), ``area`` limits the rule to cases under one area and
    ``categories`` to some categories (none: every category). The scanner (``scan.scan``) runs every active rule.
    Rules are deactivated, never deleted: the alerts they raised keep pointing at them.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32, choices=RuleKind.choices)
    params = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_(
            "Thresholds of the kind as a JSON object; missing ones take their defaults (docs/alerts.md)."
        ),
    )
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only in area"),
    )
    categories = models.ManyToManyField(
        "cases.Category",
        blank=True,
        related_name="+",
        verbose_name=_("only in categories"),
        help_text=_("None selected: every category."),
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("early-warning rule")
        verbose_name_plural = _("early-warning rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        self.params = validate_params(self.kind, self.params)

    @property
    def settings(self) -> dict[str, Any]:
        """The validated parameters with defaults filled in (what the detectors read)."""
        return validate_params(self.kind, self.params)


class Alert(TimeStampedModel):
    """One early warning (预警): a situation a rule found, the cases that show it, and how it was followed.

    The scanner raises it and, while it is not closed, extends its evidence when new cases join the same situation
    (found by ``dedup_key`` or by shared evidence), so rescanning never raises it twice. Leaders and dispatchers of
    ``area`` acknowledge it, write follow-up notes and close it with a conclusion, through ``alerts.actions`` only;
    ``AlertEvent`` keeps every step. ``area_path`` copies the area's path so "alerts in my area" is one prefix
    query. ``title`` and ``summary`` are written in the language of the scan (like notifications); ``data`` keeps
    the figures in numbers.
    """

    rule = models.ForeignKey(
        AlertRule, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("rule")
    )
    dedup_key = models.CharField(_("situation key"), max_length=128)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    area_path = models.CharField(_("area path"), max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    cases: models.ManyToManyField[Case, AlertCase] = models.ManyToManyField(
        "cases.Case", through="AlertCase", related_name="alerts", verbose_name=_("evidence")
    )
    data = models.JSONField(_("figures"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            # One alert per situation until it is closed; the scanner relies on it under concurrent scans.
            models.UniqueConstraint(
                fields=["rule", "dedup_key"],
                condition=~models.Q(status=AlertStatus.CLOSED),
                name="alerts_one_open_per_situation",
            )
        ]
        indexes = [models.Index(fields=["area_path", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def permission_scope(self) -> Scope:
        return Scope(area_path=self.area_path)

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.CLOSED


class AlertCase(models.Model):
    """A case that is evidence of an alert: when and why it was linked (by the scanner or by hand)."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="links", verbose_name=_("alert"))
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="alert_links", verbose_name=_("case")
    )
    added_at = models.DateTimeField(_("linked at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )

    class Meta:
        verbose_name = _("evidence case")
        verbose_name_plural = _("evidence cases")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "case"], name="alerts_case_once_per_alert")]

    def __str__(self) -> str:
        return f"{self.alert_id} ← {self.case_id}"


class AlertEvent(TimelineEvent):
    """One row of an alert's timeline (append-only): raised, case linked, acknowledged, follow-up note, closed.

    The model and its queryset refuse updates and deletes; on PostgreSQL a trigger refuses them too.
    """

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events", verbose_name=_("alert"))

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert timeline")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"])]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.verb} {self.at:%Y-%m-%d %H:%M}"

    @property
    def verb_label(self) -> str:
        return str(EVENT_LABELS.get(self.verb, self.verb))

    @property
    def status_change(self) -> tuple[str, str] | None:
        """(before, after) as shown on the page, when the event changed the status."""
        if not self.from_status or not self.to_status or self.from_status == self.to_status:
            return None
        labels = dict(AlertStatus.choices)
        return str(labels.get(self.from_status, self.from_status)), str(
            labels.get(self.to_status, self.to_status)
        )
