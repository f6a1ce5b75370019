"""Template helpers of the command center: the navigation entry and small number formats."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.accounts.permissions import Verb, can_somewhere

register = template.Library()


@register.simple_tag
def command_nav(user: Any) -> bool:
    """Show the "command center" menu entry to those who may see analysis somewhere."""
    return can_somewhere(user, Verb.VIEW_ANALYSIS)


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.9234 → "92.3%"; None (no denominator) → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"
