"""Admin helpers shared by every app's admin."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gridgov.accounts.permissions import Verb, can


class ManagedByVerb:
    """Admin permissions from the one permission function instead of Django's model permissions."""

    manage_verb: Verb
    view_verb: Verb | None = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.manage_verb) or (
            self.view_verb is not None and can(request.user, self.view_verb, obj)
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, self.manage_verb)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.manage_verb)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.manage_verb)


class ReadOnlyAuditAdmin:
    """Append-only records (audit trail, case timeline): viewed by auditors, never added, changed or deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Verb.VIEW_AUDIT)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Verb.VIEW_AUDIT)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
