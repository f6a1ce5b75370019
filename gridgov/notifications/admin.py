"""Read-only admin of the inbox rows and the outbound attempts, for administrators tracing a missing message.

Rows are written only by ``notify`` and ``deliver``; nothing here adds, edits or deletes them. Access follows
``Verb.VIEW_AUDIT`` (administrators), like the audit trail: titles and bodies may mention cases.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gridgov.accounts.permissions import Verb
from gridgov.core.admin_mixins import ManagedByVerb
from gridgov.notifications.models import Delivery, Notification


class ReadOnly(ManagedByVerb):
    """View for holders of ``VIEW_AUDIT``; no one adds, changes or deletes."""

    manage_verb = Verb.VIEW_AUDIT

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryInline(ReadOnly, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("channel", "status", "attempts", "at", "last_error")
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"
    search_fields = ["title", "target_id", "recipient__username", "recipient__name"]
    list_select_related = ["recipient"]
    fields = (
        "created_at",
        "recipient",
        "kind",
        "title",
        "body",
        "link",
        "target_type",
        "target_id",
        "data",
        "read_at",
    )
    readonly_fields = fields
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "channel", "status", "attempts", "notification", "short_error"]
    list_filter = ["status", "channel"]
    date_hierarchy = "at"
    search_fields = ["channel", "last_error", "notification__recipient__username"]
    list_select_related = ["notification"]
    fields = ("notification", "channel", "status", "attempts", "at", "last_error")
    readonly_fields = fields

    @admin.display(description=Delivery._meta.get_field("last_error").verbose_name)
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:120]
