"""``{% unread_notifications_count user %}``: the unread badge of the navigation.

A template tag rather than a context processor, so the count query runs only on pages that show it.
"""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications_count(user: Any) -> int:
    return unread_count(user)
