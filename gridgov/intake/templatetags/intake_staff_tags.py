"""``{% staff_intake_nav user as intake_nav %}``: which staff intake forms the navigation links to.

``{"patrol": bool, "hotline": bool}``; ``None`` for users who may use neither (residents, volunteers, department
handlers, administrators only), who get no link.
"""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.intake.staff.selectors import may_patrol, may_take_calls

register = template.Library()


@register.simple_tag
def staff_intake_nav(user: Any) -> dict[str, bool] | None:
    links = {"patrol": may_patrol(user), "hotline": may_take_calls(user)}
    return links if any(links.values()) else None
