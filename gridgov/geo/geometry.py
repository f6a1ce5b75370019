"""Geometry helpers: reading GeoJSON boundaries, measuring them, and converting Chinese map coordinates.

Boundaries are stored as GeoJSON in WGS-84 (longitude, latitude order, RFC 7946). Everything that parses or
measures them goes through this module so that the import checks, the grid index and the map all agree on
what a valid boundary is.

Coordinates reported by phones and web maps in China are often not WGS-84: AMap (高德), Tencent and Google China
use GCJ-02 (the obfuscated "Mars" system), Baidu uses BD-09 on top of it. ``to_wgs84`` undoes both with the
public-domain ``prcoords`` library before a point is looked up.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import prcoords
import shapely
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

#: Mean Earth radius (m), the sphere used for the local area approximation.
EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0
METRES_PER_DEGREE = _M_PER_DEG

SUPPORTED_TYPES = ("Polygon", "MultiPolygon")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance between two WGS-84 points in metres (equirectangular: exact enough at the few hundred metres
    that duplicate searches and "nearby" lists work with)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(x, y)


def box_around(lat: float, lon: float, radius_m: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((lat_min, lat_max), (lon_min, lon_max))`` of a square holding every point within ``radius_m``: an
    index-friendly prefilter for a distance check."""
    dlat = radius_m / _M_PER_DEG
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)


#: GEOS explains invalidity as "Reason[x y]"; the bracket holds the location.
_REASON_RE = re.compile(r"^(?P<reason>.*?)\s*\[(?P<x>\S+)\s+(?P<y>\S+)\]\s*$")


class CoordSystem(models.TextChoices):
    """Coordinate systems a point can arrive in."""

    WGS84 = "wgs84", _("WGS-84 (GPS)")
    GCJ02 = "gcj02", _("GCJ-02 (AMap, Tencent)")
    BD09 = "bd09", _("BD-09 (Baidu)")


class GeometryError(ValueError):
    """A boundary that cannot be used; ``message`` is translatable and says why (and where, when known)."""

    def __init__(self, message: str | Promise) -> None:
        self.message = message
        super().__init__(str(message))


class BBox(NamedTuple):
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class LatLon:
    lat: float
    lon: float


# --- Parsing and validation -------------------------------------------------------------------------------------


def _check_position(position: Any) -> None:
    if not isinstance(position, list | tuple) or len(position) < 2:
        raise GeometryError(_("Each position must be a [longitude, latitude] pair."))
    lon, lat = position[0], position[1]
    for value in (lon, lat):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise GeometryError(_("Coordinates must be finite numbers."))
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise GeometryError(
            _("Position [%(lon)s, %(lat)s] is outside the WGS-84 range (longitude first, then latitude).")
            % {"lon": lon, "lat": lat}
        )


def _check_ring(ring: Any) -> None:
    if not isinstance(ring, list | tuple):
        raise GeometryError(_("A polygon ring must be a list of positions."))
    for position in ring:
        _check_position(position)
    if len(ring) < 4:
        raise GeometryError(_("A polygon ring needs at least 4 positions (the first repeated at the end)."))
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(
            _("A polygon ring must be closed: its last position must repeat the first %(first)s.")
            % {"first": list(ring[0][:2])}
        )


def _check_polygon_coordinates(rings: Any) -> None:
    if not isinstance(rings, list | tuple) or not rings:
        raise GeometryError(_("A polygon needs at least one ring."))
    for ring in rings:
        _check_ring(ring)


def explain_invalid(geom: BaseGeometry) -> str | Promise | None:
    """Why GEOS rejects ``geom`` (e.g. a self-intersection) with the location, or None when it is valid."""
    if shapely.is_valid(geom):
        return None
    reason = str(shapely.is_valid_reason(geom))
    found = _REASON_RE.match(reason)
    if found is None:
        return _("Invalid polygon: %(reason)s.") % {"reason": reason}
    return _("Invalid polygon: %(reason)s at longitude %(lon)s, latitude %(lat)s.") % {
        "reason": found["reason"],
        "lon": found["x"],
        "lat": found["y"],
    }


def parse_geometry(data: Any) -> BaseGeometry:
    """Turn a GeoJSON geometry object into a valid shapely Polygon or MultiPolygon, or raise GeometryError.

    Checks the structure first (so a malformed file gets a readable message rather than a GEOS exception), then
    validity: a self-intersecting ("bowtie") or otherwise invalid polygon is reported with GEOS's reason and the
    location of the fault, because a boundary that is not valid would make "which grid is this point in" wrong.
    """
    if not isinstance(data, dict):
        raise GeometryError(_("The geometry must be a GeoJSON object."))
    kind = data.get("type")
    if kind not in SUPPORTED_TYPES:
        raise GeometryError(
            _("Geometry type %(type)s is not supported: use Polygon or MultiPolygon.") % {"type": repr(kind)}
        )
    coordinates = data.get("coordinates")
    if kind == "Polygon":
        _check_polygon_coordinates(coordinates)
    else:
        if not isinstance(coordinates, list | tuple) or not coordinates:
            raise GeometryError(_("A MultiPolygon needs at least one polygon."))
        for polygon in coordinates:
            _check_polygon_coordinates(polygon)
    try:
        geom = shape({"type": kind, "coordinates": coordinates})
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise GeometryError(_("The geometry cannot be read: %(error)s") % {"error": exc}) from exc
    if geom.is_empty:
        raise GeometryError(_("The geometry is empty."))
    problem = explain_invalid(geom)
    if problem is not None:
        raise GeometryError(problem)
    if geom.area <= 0:
        raise GeometryError(_("The polygon has no area."))
    return shapely.force_2d(geom)


def load_boundary(data: dict[str, Any]) -> BaseGeometry:
    """Shapely geometry of a stored boundary; stored boundaries were validated on import, so this only reads."""
    return shape(data)


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry dict with lists (not tuples), ready for a JSONField or ``json.dumps``."""
    result: dict[str, Any] = _listify(mapping(geom))
    return result


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _listify(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(item) for item in value]
    return value


# --- Measures ---------------------------------------------------------------------------------------------------


def bbox(geom: BaseGeometry) -> BBox:
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in geom.bounds)
    return BBox(min_lon, min_lat, max_lon, max_lat)


def centroid(geom: BaseGeometry) -> LatLon:
    """Centroid in degrees. Computed on lon/lat directly: for areas of a few km the distortion is negligible."""
    point = geom.centroid
    return LatLon(lat=float(point.y), lon=float(point.x))


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres, by a local equirectangular projection.

    Longitudes are scaled by cos(latitude) at the middle of the geometry's bounding box, then both axes by the
    metres per degree of a sphere of mean Earth radius. For a town-sized area (tens of km) the error is well
    under 1 %, which is plenty for the purpose: telling a sliver of rounding from a real overlap on import.
    Not suitable for areas spanning several degrees of latitude.
    """
    if geom.is_empty:
        return 0.0
    _min_lon, min_lat, _max_lon, max_lat = geom.bounds
    lat0 = math.radians((min_lat + max_lat) / 2.0)
    return float(geom.area) * _M_PER_DEG * _M_PER_DEG * math.cos(lat0)


def areas_m2(geoms: Any) -> np.ndarray:
    """``area_m2`` of each geometry of an array, vectorised (same approximation)."""
    array = np.asarray(geoms, dtype=object)
    if array.size == 0:
        return np.zeros(0, dtype=np.float64)
    bounds = shapely.bounds(array)
    lat0 = np.radians((bounds[:, 1] + bounds[:, 3]) / 2.0)
    result = shapely.area(array) * _M_PER_DEG * _M_PER_DEG * np.cos(lat0)
    return np.nan_to_num(result, nan=0.0)


# --- Coordinate systems -----------------------------------------------------------------------------------------


def _in_china(lat: float, lon: float) -> bool:
    return bool(prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)))


def to_wgs84(lat: float, lon: float, system: str = CoordSystem.WGS84) -> tuple[float, float]:
    """Convert a point from ``system`` to WGS-84, returning ``(lat, lon)``.

    GCJ-02 and BD-09 are inverted iteratively (prcoords' "bored" functions, ~0.1 mm), not with the one-step
    approximation, so a point near a grid border lands on the right side. Outside China the obfuscation is not
    applied by map providers, so such points are returned unchanged (as the providers do).
    """
    return _convert(lat, lon, system, gcj=prcoords.gcj_wgs_bored, bd=prcoords.bd_wgs_bored)


def from_wgs84(lat: float, lon: float, system: str) -> tuple[float, float]:
    """Convert a WGS-84 point to ``system`` (for tests and for drawing on GCJ-02/BD-09 tiles)."""
    return _convert(lat, lon, system, gcj=prcoords.wgs_gcj, bd=prcoords.wgs_bd)


def _convert(lat: float, lon: float, system: str, *, gcj: Any, bd: Any) -> tuple[float, float]:
    """Apply the GCJ-02 or BD-09 conversion ``gcj``/``bd`` (WGS-84 and points outside China pass unchanged)."""
    if system == CoordSystem.WGS84:
        return float(lat), float(lon)
    if system not in CoordSystem.values:
        raise ValueError(f"unknown coordinate system {system!r}")
    if not _in_china(lat, lon):
        return float(lat), float(lon)
    result = (gcj if system == CoordSystem.GCJ02 else bd)((lat, lon), False)
    return float(result.lat), float(result.lon)
