"""Serializers of the early-warning API: the read shapes of an alert (a line of the list; the detail with its
evidence cases and timeline) and the list's query. The verbs take the alert pages' own forms (``alerts.forms``);
``form_serializer`` only describes them in the OpenAPI schema, so the API and the pages accept the same input.

No personal data: evidence cases show number, title, status, category and report time only (as the
accountability lists), and the reasons two reports belong together are given as words, never the phone or name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.alerts.choices import AlertStatus, Severity
from gridgov.alerts.detectors import reason_labels
from gridgov.alerts.models import Alert, AlertEvent, AlertRule
from gridgov.alerts.selectors import evidence_of, rules_for_filter, timeline_of
from gridgov.cases.api.serializers import AreaRefSerializer, CategoryRefSerializer
from gridgov.cases.models import Case

# Status, severity and kind are plain strings with their labels beside them (as ``AssignmentSerializer`` does), so
# the schema keeps one "status" enum: the case's.
STATUS_HELP = "open, acknowledged, following or closed"
SEVERITY_HELP = "low, medium or high"


class AlertQuerySerializer(serializers.Serializer):
    """The filters of the list; the area is the command center's (``VIEW_ANALYSIS``), as on the page."""

    area = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Area code: its alerts and those of the areas under it (default: your first command-center "
        "area). 403 outside your areas, 404 unknown.",
    )
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False, allow_blank=True)
    rule = serializers.CharField(required=False, allow_blank=True, help_text="Rule code, e.g. surge")
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, allow_blank=True)

    def validate_rule(self, value: str) -> str:
        if value and not rules_for_filter().filter(code=value).exists():
            raise serializers.ValidationError(
                serializers.ChoiceField.default_error_messages["invalid_choice"].format(input=value)
            )
        return value


class AlertRuleRefSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="repeat_dispute, surge or urgent_cluster")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = AlertRule
        fields = ["code", "name", "kind", "kind_label"]
        read_only_fields = fields


class AlertListSerializer(serializers.ModelSerializer):
    rule = AlertRuleRefSerializer(read_only=True)
    area = AreaRefSerializer(read_only=True)
    severity = serializers.CharField(read_only=True, help_text=SEVERITY_HELP)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    evidence_count = serializers.IntegerField(read_only=True, help_text="How many cases the alert holds")

    class Meta:
        model = Alert
        fields = [
            "id",
            "title",
            "rule",
            "area",
            "severity",
            "severity_label",
            "status",
            "status_label",
            "raised_at",
            "acknowledged_at",
            "closed_at",
            "evidence_count",
        ]
        read_only_fields = fields


class EvidenceCaseSerializer(serializers.ModelSerializer):
    """A case behind the alert, without personal data (no reporter, phone, address or description)."""

    status = serializers.CharField(read_only=True, help_text="The case's status code")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["number", "title", "status", "status_label", "category", "reported_at"]
        read_only_fields = fields


class AlertEventSerializer(serializers.ModelSerializer):
    """One row of the alert's timeline."""

    verb_label = serializers.CharField(read_only=True)
    actor = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()

    class Meta:
        model = AlertEvent
        fields = ["id", "at", "verb", "verb_label", "actor", "from_status", "to_status", "note", "cases"]
        read_only_fields = fields

    def get_actor(self, event: AlertEvent) -> str | None:
        return event.actor.display_name if event.actor else None

    def get_cases(self, event: AlertEvent) -> list[str]:
        """The numbers of the cases the event linked (raise, link_case)."""
        cases = (event.data or {}).get("cases") or []
        return [str(number) for number in cases] if isinstance(cases, list) else []


class PairSerializer(serializers.Serializer):
    first = serializers.CharField(help_text="Case number")
    second = serializers.CharField(help_text="Case number")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why they are related, in words")


class AlertDetailSerializer(AlertListSerializer):
    """The alert with what the rule saw, its evidence, why the reports belong together, the timeline and the
    verbs the user may do now."""

    figures = serializers.JSONField(
        source="data", read_only=True, help_text="The rule's figures (counts, baseline, threshold…)"
    )
    pairs = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta(AlertListSerializer.Meta):
        fields = [
            *AlertListSerializer.Meta.fields,
            "summary",
            "conclusion",
            "figures",
            "pairs",
            "evidence",
            "timeline",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(PairSerializer(many=True))
    def get_pairs(self, alert: Alert) -> list[dict[str, Any]]:
        """Repeat disputes: each related pair of reports and why (``detectors.reason_labels``, as on the page)."""
        data = alert.data or {}
        return [
            {"first": first, "second": second, "reasons": reason_labels(reasons, data)}
            for first, second, reasons in data.get("pairs", [])
            if isinstance(reasons, list)
        ]

    @extend_schema_field(EvidenceCaseSerializer(many=True))
    def get_evidence(self, alert: Alert) -> Any:
        return EvidenceCaseSerializer(evidence_of(alert), many=True).data

    @extend_schema_field(AlertEventSerializer(many=True))
    def get_timeline(self, alert: Alert) -> Any:
        return AlertEventSerializer(timeline_of(alert), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, alert: Alert) -> list[str]:
        """The verbs of ``POST /api/v1/alerts/{id}/{verb}/`` the user may do now (given in the context)."""
        return list(self.context.get("available_actions", []))


def form_serializer(form_class: type[forms.Form], name: str) -> type[serializers.Serializer]:
    """A serializer describing ``form_class`` in the schema (the view validates with the form itself, so the
    two cannot drift apart: required, length limits and help come from the form)."""
    fields: dict[str, Any] = {}
    for field_name, field in form_class.base_fields.items():
        if not isinstance(field, forms.CharField):  # pragma: no cover - the alert forms are text only
            raise TypeError(f"{form_class.__name__}.{field_name}: only text fields are described")
        limits: dict[str, Any] = {"max_length": field.max_length} if field.max_length is not None else {}
        fields[field_name] = serializers.CharField(
            required=field.required, allow_blank=not field.required, help_text=field.label, **limits
        )
    return type(
        name, (serializers.Serializer,), {"__module__": __name__, "__doc__": form_class.__doc__, **fields}
    )
