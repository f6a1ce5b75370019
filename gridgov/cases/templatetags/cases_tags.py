"""``{% work_queue_nav user as queue_nav %}``: the "Work queue" link of the navigation, with the to-do count.

``None`` for users without a staff role (residents, volunteers, administrators only), who get no link. A template
tag rather than a context processor, so the count query runs only on pages that show the navigation.
"""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.cases.page_verbs import is_staff_user
from gridgov.cases.selectors import Queue, work_queue

register = template.Library()


@register.simple_tag
def work_queue_nav(user: Any) -> dict[str, int] | None:
    if not is_staff_user(user):
        return None
    return {"todo": work_queue(user, Queue.TODO).count()}
