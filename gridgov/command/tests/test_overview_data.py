"""Hand-made data for the overview and topic tests (no tests here): the small region of ``RegionTree`` with one
dispatcher per town, a district dispatcher, and cases written straight into the table with exactly the status,
colour, place and time each test needs (the command center only reads them)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.cases.choices import AlertLevel, CaseStatus, Channel, OwnerLevel, Priority
from gridgov.cases.models import Case, Category
from gridgov.geo.models import Area
from gridgov.testing.factories import RegionTree, UserFactory, grant

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The moment the tests are "now": Wednesday 2026-11-18 10:00 in Shanghai.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "correct-horse-battery"

_numbers = itertools.count(1)


@dataclass
class Region:
    tree: RegionTree
    town1: Area
    town2: Area
    dispatcher: User  # town 1
    other_dispatcher: User  # town 2
    district_dispatcher: User


def _dispatcher(username: str, area: Area) -> User:
    user: User = UserFactory(username=username)  # type: ignore[assignment]
    grant(user, Role.DISPATCHER, area=area)
    return user


def make_region() -> Region:
    tree = RegionTree()
    dispatcher = _dispatcher("dispatcher1", tree.towns[0])
    other = _dispatcher("dispatcher2", tree.towns[1])
    district = _dispatcher("district1", tree.district)
    _set_boxes(tree)
    return Region(tree, tree.towns[0], tree.towns[1], dispatcher, other, district)


def ring(area: Area) -> list[list[float]]:
    """The outer ring of the area's (square) boundary."""
    assert area.boundary is not None
    points: list[list[float]] = area.boundary["coordinates"][0]
    return points


def _set_boxes(tree: RegionTree) -> None:
    """Bounding boxes and centroids as ``geo.actions`` would keep them (RegionTree writes the boundary only)."""
    for grid in tree.grids:
        lons = [point[0] for point in ring(grid)]
        lats = [point[1] for point in ring(grid)]
        Area.objects.filter(pk=grid.pk).update(
            min_lon=min(lons),
            max_lon=max(lons),
            min_lat=min(lats),
            max_lat=max(lats),
            centroid_lon=(min(lons) + max(lons)) / 2,
            centroid_lat=(min(lats) + max(lats)) / 2,
        )


def centre(grid: Area, dx: float = 0.0, dy: float = 0.0) -> tuple[float, float]:
    """A point inside ``grid`` (a 0.01° square): its centre moved by ``dx``/``dy`` degrees (keep them < 0.005)."""
    corner = ring(grid)[0]
    return corner[1] + 0.005 + dy, corner[0] + 0.005 + dx


def make_case(
    place: Area,
    *,
    status: str = CaseStatus.ACCEPTED,
    alert: str = AlertLevel.NORMAL,
    priority: str = Priority.NORMAL,
    at: datetime | None = None,
    point: tuple[float, float] | None | bool = True,
    category: Category | None = None,
    title: str = "路灯不亮",
    text: str = "路口的路灯坏了",
    **extra: Any,
) -> Case:
    """A case placed in ``place`` (a grid, or any area), with a location at the grid's centre unless ``point`` is
    given (a ``(lat, lon)``) or False (no location). A red one is past its deadline (acceptance deadline while it
    waits for acceptance, else the resolution deadline) one day after the report, unless ``extra`` sets one."""
    at = at or NOW - timedelta(days=3)
    if alert == AlertLevel.RED and "accept_by" not in extra and "resolve_by" not in extra:
        extra["accept_by" if status == CaseStatus.REPORTED else "resolve_by"] = at + timedelta(days=1)
    if point is True:
        point = centre(place) if place.boundary else None
    lat, lon = point if isinstance(point, tuple) else (None, None)
    return Case.objects.create(
        number=f"T-20261118-{next(_numbers):05d}",
        channel=Channel.WEB,
        title=title,
        text=text,
        category=category,
        grid=place if place.is_grid else None,
        area_path=place.path,
        owner_level=OwnerLevel.TOWN,
        owner_area=place,
        reported_at=at,
        status=status,
        alert_level=alert,
        priority=priority,
        lat=lat,
        lon=lon,
        **extra,
    )
