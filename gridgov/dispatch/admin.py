"""Admin for departments and routing rules; saves go through ``dispatch.actions``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gridgov.accounts.permissions import Verb, can, can_somewhere, scope_q
from gridgov.core.admin_mixins import ManagedByVerb
from gridgov.dispatch import actions
from gridgov.dispatch.models import Department, RoutingRule


@admin.register(Department)
class DepartmentAdmin(ManagedByVerb, admin.ModelAdmin):
    manage_verb = Verb.MANAGE_DEPARTMENTS
    list_display = ("name", "code", "kind", "area", "phone", "is_active")
    list_filter = ("kind", "is_active", "area__level")
    search_fields = ("name", "code", "area__name")
    raw_id_fields = ("area",)
    fields = ("code", "name", "kind", "area", "phone", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        saved = actions.save_department(
            actor=request.user,  # type: ignore[arg-type]
            code=obj.code,
            name=obj.name,
            kind=obj.kind,
            area=obj.area,
            phone=obj.phone,
            is_active=obj.is_active,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # departments are deactivated, never deleted: cases keep pointing at them


@admin.register(RoutingRule)
class RoutingRuleAdmin(ManagedByVerb, admin.ModelAdmin):
    """Admins edit every rule; a dispatcher edits the rules of their command center's area."""

    manage_verb = Verb.MANAGE_ROUTING
    list_display = ("category", "area", "lead", "is_active", "note")
    list_filter = ("category", "is_active")
    search_fields = ("category__name", "area__name", "lead__name")
    raw_id_fields = ("area", "lead")
    filter_horizontal = ("helpers",)

    def _allowed(self, request: HttpRequest, obj: RoutingRule | None) -> bool:
        if obj is None:
            return can_somewhere(request.user, Verb.MANAGE_ROUTING)
        return (
            can(request.user, Verb.MANAGE_ROUTING, obj.area)
            if obj.area
            else can(request.user, Verb.MANAGE_ROUTING)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request).select_related("category", "area", "lead")
        if can(request.user, Verb.MANAGE_ROUTING):
            return queryset
        return queryset.filter(scope_q(request.user, Verb.MANAGE_ROUTING, area_path_field="area__path"))

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        if change:
            original = RoutingRule.objects.get(pk=obj.pk)
            if (original.category_id, original.area_id) != (obj.category_id, obj.area_id):
                actions.delete_routing_rule(actor=request.user, rule=original)  # type: ignore[arg-type]
        saved = actions.save_routing_rule(
            actor=request.user,  # type: ignore[arg-type]
            category=obj.category,
            area=obj.area,
            lead=obj.lead,
            helpers=list(form.cleaned_data.get("helpers", [])),
            note=obj.note,
            is_active=obj.is_active,
        )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Helpers were saved by the action."""

    def delete_model(self, request: HttpRequest, obj: RoutingRule) -> None:
        actions.delete_routing_rule(actor=request.user, rule=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rule in queryset:
            self.delete_model(request, rule)
