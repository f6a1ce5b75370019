"""Reads of the area tree worth sharing: the grid of a point, subtrees, ancestors and map data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gridgov.geo.geometry import CoordSystem, to_wgs84
from gridgov.geo.index import current_index_version, get_grid_index
from gridgov.geo.models import Area


def grid_for_point(lat: float, lon: float, *, system: str = CoordSystem.WGS84) -> Area | None:
    """The active grid covering the point, or None outside every grid.

    Phones and web maps in China often report GCJ-02 (AMap, Tencent) or BD-09 (Baidu) coordinates; they are
    converted to WGS-84, the system of the stored boundaries, before the lookup.
    """
    wgs_lat, wgs_lon = to_wgs84(lat, lon, system)
    code = get_grid_index().lookup(wgs_lat, wgs_lon)
    if code is None:
        return None
    return grid_by_code(code)


_grids: dict[str, Area] = {}
_grids_version: str | None = None


def grid_by_code(code: str) -> Area | None:
    """The grid with its chain up to the district (case numbering and holders walk it on every report), kept
    per process until the areas change (the grid index's version stamp: imports and edits change it)."""
    global _grids_version
    version = current_index_version()
    if version != _grids_version:
        _grids.clear()
        _grids_version = version
    area = _grids.get(code)
    if area is None:
        area = (
            Area.objects.filter(code=code, is_active=True)
            .select_related("parent__parent__parent")
            # Boundaries are large GeoJSON documents nobody needs here.
            .defer(
                "boundary", "parent__boundary", "parent__parent__boundary", "parent__parent__parent__boundary"
            )
            .first()
        )
        if area is not None:
            _grids[code] = area
    return area


def area_subtree(area: Area) -> QuerySet[Area]:
    """The area and everything under it (one indexed prefix query on the path)."""
    return Area.objects.filter(path__within=area.path)


def ancestors(area: Area) -> QuerySet[Area]:
    """The areas above ``area``, root first (``area`` itself excluded)."""
    codes = area.ancestor_codes()[:-1]
    return Area.objects.filter(code__in=codes).order_by("path")


def areas_geojson(level: str | None = None, within: Area | None = None) -> dict[str, Any]:
    """Active areas with a boundary as a GeoJSON FeatureCollection for maps.

    ``level`` keeps one level (e.g. only grids); ``within`` keeps an area's subtree. Areas without a boundary
    are left out: a map cannot draw them. Properties are public data only (code, name, level, parent code).
    """
    areas = Area.objects.filter(is_active=True, boundary__isnull=False)
    if level:
        areas = areas.filter(level=level)
    if within is not None:
        areas = areas.filter(path__within=within.path)
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name, "level": area_level, "parent_code": parent_code},
            "geometry": boundary,
        }
        for code, name, area_level, parent_code, boundary in areas.order_by("path").values_list(
            "code", "name", "level", "parent__code", "boundary"
        )
        if boundary
    ]
    return {"type": "FeatureCollection", "features": features}
