"""Admin for the early-warning rules (saved through ``alerts.actions.save_rule``) and read-only alert records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gridgov.alerts import actions
from gridgov.alerts.models import Alert, AlertEvent, AlertRule
from gridgov.core.admin_mixins import ManagedByVerb, ReadOnlyAuditAdmin


@admin.register(AlertRule)
class AlertRuleAdmin(ManagedByVerb, admin.ModelAdmin):
    """Rules are tuned here: thresholds in ``params`` (validated per kind), scope, severity, on/off."""

    manage_verb = actions.MANAGE_VERB
    list_display = ("code", "name", "kind", "severity", "area", "is_active")
    list_filter = ("kind", "severity", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("categories",)
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "severity", "is_active")}),
        (None, {"fields": ("params",)}),
        (None, {"fields": ("area", "categories")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Alerts point at their rule by code and kind: a rule of another kind is a new rule.
        return ("code", "kind") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: alerts keep their rule

    def save_model(self, request: HttpRequest, obj: AlertRule, form: Any, change: bool) -> None:
        actions.save_rule(actor=request.user, rule=obj, changed=list(form.changed_data))  # type: ignore[arg-type]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAuditAdmin, admin.ModelAdmin):
    """Alerts, for audits: read-only (leaders and dispatchers follow them on the alert pages)."""

    list_display = ("raised_at", "title", "rule", "area", "severity", "status")
    list_filter = ("status", "severity", "rule")
    search_fields = ("title", "area__name", "dedup_key")
    list_select_related = ("rule", "area")
    date_hierarchy = "raised_at"


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAuditAdmin, admin.ModelAdmin):
    """The alert timeline, for audits: read-only (the table is append-only; PostgreSQL enforces it too)."""

    list_display = ("at", "alert", "verb", "actor", "from_status", "to_status")
    list_filter = ("verb",)
    search_fields = ("alert__title", "actor__username")
    list_select_related = ("alert", "actor")
    date_hierarchy = "at"
