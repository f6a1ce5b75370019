"""What every command page starts with: the signed-in user's area, the period, and the page's base context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from gridgov.command.periods import KINDS, Period, parse_period
from gridgov.command.selectors.areas import analysis_area, analysis_areas, breadcrumbs, child_areas
from gridgov.geo.models import Area

__all__ = ["CommandPage", "command_page", "login_required"]


@dataclass
class CommandPage:
    """The area and period a page shows, plus what the shared header (area trail, period picker) needs."""

    request: HttpRequest
    area: Area
    period: Period
    errors: dict[str, list[str]] = field(default_factory=dict)

    def keep_query(self) -> str:
        """The page's own parameters (a tab, a sort order, the large screen…) that the trail and the period links
        carry along, so that moving up an area or a month keeps what the user was looking at."""
        kept = [(k, v) for k, values in self.request.GET.lists() if k not in FRAME_PARAMS for v in values]
        return urlencode(kept)

    def context(self, **extra: Any) -> dict[str, Any]:
        user = self.request.user
        base = {
            "area": self.area,
            "period": self.period,
            "period_kinds": list(KINDS.items()),
            "period_query": urlencode(self.period.query()),
            "previous_query": urlencode(self.period.previous().query()),
            "next_query": urlencode(self.period.next().query()),
            "period_errors": self.errors,
            "keep_query": self.keep_query(),
            "trail": breadcrumbs(user, self.area),
            "children": list(child_areas(self.area)),
            "my_areas": analysis_areas(user),
            "today": timezone.localdate(),
        }
        base.update(extra)
        return base


#: Query parameters the frame sets itself (area and period); every other one a page's links keep.
FRAME_PARAMS = frozenset({"area", "period", "date", "start", "end", "page"})


def command_page(
    request: HttpRequest, area_code: str | None = None, *, default_period: str = "month"
) -> CommandPage:
    """Resolve the area (404 / 403 as ``analysis_area``) and the period; a bad period falls back to the default
    one and keeps the error to show beside the picker, so a mistyped date never loses the page."""
    area = analysis_area(request.user, area_code or request.GET.get("area"))
    try:
        period = parse_period(request.GET, default=default_period)
        errors: dict[str, list[str]] = {}
    except ValidationError as error:
        period = parse_period({}, default=default_period)
        errors = error.message_dict
    return CommandPage(request=request, area=area, period=period, errors=errors)
