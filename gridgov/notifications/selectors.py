"""Reads of the inbox shared by the pages, the API and the unread badge."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gridgov.notifications.models import Notification


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nothing for anonymous users.

    Every adapter goes through here, so "only your own" is decided in one place.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    """How many unread notifications the user has (the badge in the navigation)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
