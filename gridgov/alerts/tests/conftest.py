"""Fixtures of the early-warning tests: the default rules, a fixed "now" and a helper that reports cases at a given
time and place in the working town (``town`` fixture: region with two towns, users per role)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from gridgov.alerts.models import AlertRule
from gridgov.cases import actions as case_actions
from gridgov.cases.choices import Channel, Priority
from gridgov.cases.models import Case, Category
from gridgov.geo.geometry import METRES_PER_DEGREE

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The moment every scan of these tests runs at (a Friday noon).
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)

#: Grid squares of ``RegionTree``: grid i spans lat 32.20–32.21 and this longitude range.
GRID_LON = [120.90, 120.91, 120.92, 120.93, 121.00, 121.01, 121.02, 121.03]
CENTER_LAT = 32.205


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Titles and summaries are written in the language of the scan: English, so assertions read like the source."""
    with translation.override("en"):
        yield


@pytest.fixture
def rules(db: None, default_categories: None) -> dict[str, AlertRule]:
    """The default rules (the data migration creates them; a PostgreSQL flush empties the table, so recreate)."""
    from gridgov.alerts.defaults import install_default_rules

    install_default_rules(AlertRule, Category)
    return {rule.code: rule for rule in AlertRule.objects.all()}


def set_params(rule: AlertRule, **params: Any) -> AlertRule:
    rule.params = {**rule.params, **params}
    rule.full_clean()
    rule.save()
    return rule


def point(grid: int, east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    """(lat, lon) of a point ``east_m`` / ``north_m`` metres from the centre of grid ``grid``."""
    lat = CENTER_LAT + north_m / METRES_PER_DEGREE
    lon = GRID_LON[grid] + 0.005 + east_m / (METRES_PER_DEGREE * math.cos(math.radians(CENTER_LAT)))
    return lat, lon


class Reporter:
    """Reports cases the way residents do (anonymous web reports), at chosen times, places and categories."""

    def __init__(self, town: Any) -> None:
        self.town = town

    def __call__(
        self,
        *,
        ago: timedelta,
        grid: int = 0,
        category: str | None = "dispute",
        at_point: tuple[float, float] | None = None,
        phone: str = "",
        name: str = "",
        text: str = "邻里之间因为排水沟的问题发生争吵",
        address: str = "",
        priority: str = Priority.NORMAL,
    ) -> Case:
        lat, lon = at_point if at_point is not None else (None, None)
        return case_actions.report_case(
            actor=None,
            channel=Channel.WEB,
            text=text,
            category=Category.objects.get(code=category) if category else None,
            grid=self.town.region.grids[grid] if at_point is None else None,
            lat=lat,
            lon=lon,
            address=address,
            reporter_phone=phone,
            reporter_name=name,
            priority=priority,
            reported_at=NOW - ago,
        )


@pytest.fixture
def report(town: Any, rules: dict[str, AlertRule]) -> Reporter:
    return Reporter(town)
