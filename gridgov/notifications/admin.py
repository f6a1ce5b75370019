"""Read-only admin of the inbox rows and the outbound attempts, for administrators tracing a missing message.

Rows are written only by ``notify`` and ``deliver``; nothing here adds, edits or deletes them. Access follows
``Verb.VIEW_AUDIT`` (administrators), like the audit trail: titles and bodies may mention cases.
"""

from __future__ import annotations

from django.contrib import admin

from gridgov.core.admin_mixins import ReadOnlyAuditAdmin
from gridgov.notifications.models import Delivery, Notification


class DeliveryInline(ReadOnlyAuditAdmin, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("channel", "status", "attempts", "at", "last_error")
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAuditAdmin, admin.ModelAdmin):
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
class DeliveryAdmin(ReadOnlyAuditAdmin, admin.ModelAdmin):
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
