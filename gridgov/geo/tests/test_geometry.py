"""Boundaries are read strictly and measured consistently; Chinese map coordinates convert both ways."""

from __future__ import annotations

import math

import pytest

from gridgov.geo.geometry import (
    CoordSystem,
    GeometryError,
    area_m2,
    areas_m2,
    bbox,
    centroid,
    from_wgs84,
    parse_geometry,
    to_geojson,
    to_wgs84,
)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[120.9, 32.0], [120.91, 32.0], [120.91, 32.01], [120.9, 32.01], [120.9, 32.0]]],
}


def test_parses_polygon_and_multipolygon():
    polygon = parse_geometry(SQUARE)
    assert polygon.geom_type == "Polygon"
    multi = parse_geometry({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]})
    assert multi.geom_type == "MultiPolygon"


def test_geojson_roundtrip_uses_lists():
    data = to_geojson(parse_geometry(SQUARE))
    assert data["type"] == "Polygon"
    assert isinstance(data["coordinates"][0][0], list)
    assert data["coordinates"][0][0] == [120.9, 32.0]


def test_drops_third_dimension():
    ring = [[x, y, 5.0] for x, y in SQUARE["coordinates"][0]]
    data = to_geojson(parse_geometry({"type": "Polygon", "coordinates": [ring]}))
    assert len(data["coordinates"][0][0]) == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"type": "Point", "coordinates": [120.9, 32.0]}, "not supported"),
        ("Polygon", "GeoJSON object"),
        ({"type": "Polygon", "coordinates": []}, "at least one ring"),
        ({"type": "Polygon", "coordinates": [[[120.9, 32.0], [120.91, 32.0], [120.9, 32.0]]]}, "at least 4"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[120.9, 32.0], [120.91, 32.0], [120.91, 32.01], [120.9, 32.01]]],
            },
            "must be closed",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[32.0, 120.9], [32.0, 121.0], [32.1, 121.0], [32.0, 120.9]]],
            },
            "range",
        ),
        ({"type": "Polygon", "coordinates": [[["a", 1], [1, 1], [1, 2], ["a", 1]]]}, "finite numbers"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[120.9, 32.0], [120.91, 32.0], [120.92, 32.0], [120.9, 32.0]]],
            },
            "Invalid polygon",
        ),
    ],
)
def test_rejects_bad_geometries(data, expected):
    with pytest.raises(GeometryError) as caught:
        parse_geometry(data)
    assert expected in str(caught.value.message)


def test_bowtie_is_reported_with_reason_and_location():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    with pytest.raises(GeometryError) as caught:
        parse_geometry(bowtie)
    message = str(caught.value.message)
    assert "Self-intersection" in message
    assert "longitude 1" in message
    assert "latitude 1" in message


def test_bbox_centroid_and_area():
    polygon = parse_geometry(SQUARE)
    assert bbox(polygon) == (120.9, 32.0, 120.91, 32.01)
    center = centroid(polygon)
    assert center.lat == pytest.approx(32.005)
    assert center.lon == pytest.approx(120.905)
    # 0.01° × 0.01° at 32.005° N: about 1112 m × 943 m.
    metres_per_degree = math.pi * 6_371_008.8 / 180
    expected = (0.01 * metres_per_degree) ** 2 * math.cos(math.radians(32.005))
    assert area_m2(polygon) == pytest.approx(expected, rel=1e-6)
    assert 1.04e6 < area_m2(polygon) < 1.06e6
    assert areas_m2([polygon, polygon]).tolist() == pytest.approx([expected, expected], rel=1e-6)


def test_wgs84_is_unchanged():
    assert to_wgs84(32.0, 120.9, CoordSystem.WGS84) == (32.0, 120.9)


@pytest.mark.parametrize("system", [CoordSystem.GCJ02, CoordSystem.BD09])
def test_chinese_systems_roundtrip(system):
    lat, lon = 32.0123, 120.9456
    shifted = from_wgs84(lat, lon, system)
    # The obfuscation moves points by hundreds of metres around Nantong.
    assert abs(shifted[0] - lat) + abs(shifted[1] - lon) > 0.001
    back = to_wgs84(*shifted, system)
    assert back[0] == pytest.approx(lat, abs=1e-7)
    assert back[1] == pytest.approx(lon, abs=1e-7)


def test_points_outside_china_are_not_shifted():
    assert to_wgs84(48.85, 2.35, CoordSystem.GCJ02) == (48.85, 2.35)


def test_unknown_system_is_an_error():
    with pytest.raises(ValueError, match="unknown coordinate system"):
        to_wgs84(32.0, 120.9, "utm")
