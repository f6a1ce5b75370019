"""Admin for the taxonomy; saves go through ``cases.actions``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gridgov.accounts.permissions import Verb
from gridgov.cases import actions
from gridgov.cases.models import CaseEvent, Category
from gridgov.core.admin_mixins import ManagedByVerb, ReadOnlyAuditAdmin


@admin.register(Category)
class CategoryAdmin(ManagedByVerb, admin.ModelAdmin):
    manage_verb = Verb.MANAGE_TAXONOMY
    list_display = ("code", "name", "sla_working_days", "default_department", "sort_order", "is_active")
    list_editable = ("sort_order",)
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en", "scope_in")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "sort_order", "is_active")}),
        (None, {"fields": ("scope_in", "scope_out", "scope_in_en", "scope_out_en")}),
        (None, {"fields": ("default_department", "sla_working_days")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: cases keep their category

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        fields = (
            form.changed_data if change else [f for f in actions.CATEGORY_FIELDS if f in form.cleaned_data]
        )
        saved = actions.save_category(
            actor=request.user,  # type: ignore[arg-type]
            code=obj.code,
            values={field: getattr(obj, field) for field in fields if field in actions.CATEGORY_FIELDS},
        )
        obj.pk = saved.pk


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAuditAdmin, admin.ModelAdmin):
    """The case timeline, for audits: read-only (the table is append-only; PostgreSQL enforces it too)."""

    list_display = ("at", "case", "verb", "actor", "from_status", "to_status")
    list_filter = ("verb",)
    search_fields = ("case__number", "actor__username")
    list_select_related = ("case", "actor")
    date_hierarchy = "at"
