"""Point-in-grid lookups: inside, outside, borders and vertices to exactly one grid, Chinese coordinate systems."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gridgov.core import stamps as stamps_module
from gridgov.core.models import Stamp
from gridgov.geo.geometry import CoordSystem, from_wgs84
from gridgov.geo.index import AREAS_STAMP, GridIndex, get_grid_index, invalidate_grid_index
from gridgov.geo.selectors import ancestors, area_subtree, areas_geojson, grid_for_point

# 2 × 2 unit squares; codes deliberately not in spatial order.
#   (0,1)-(1,2): "C"   (1,1)-(2,2): "A"
#   (0,0)-(1,1): "D"   (1,0)-(2,1): "B"
SQUARES = {"C": box(0, 1, 1, 2), "A": box(1, 1, 2, 2), "D": box(0, 0, 1, 1), "B": box(1, 0, 2, 1)}


@pytest.fixture(scope="module")
def squares() -> GridIndex:
    return GridIndex(list(SQUARES), list(SQUARES.values()))


def test_inside_and_outside(squares):
    assert squares.lookup(0.5, 0.5) == "D"  # lookup(lat, lon): y first
    assert squares.lookup(1.5, 0.5) == "C"
    assert squares.lookup(0.5, 1.5) == "B"
    assert squares.lookup(1.5, 1.5) == "A"
    assert squares.lookup(2.5, 0.5) is None
    assert squares.lookup(-0.1, 0.5) is None
    assert squares.lookup(math.nan, 0.5) is None


def test_shared_border_goes_to_the_smallest_code(squares):
    assert squares.lookup(0.5, 1.0) == "B"  # D | B
    assert squares.lookup(1.0, 0.5) == "C"  # D / C
    assert squares.lookup(1.5, 1.0) == "A"  # C | A
    assert squares.lookup(1.0, 1.5) == "A"  # B / A


def test_vertices(squares):
    assert squares.lookup(1.0, 1.0) == "A"  # shared by all four
    assert squares.lookup(0.0, 0.0) == "D"  # outer corner
    assert squares.lookup(2.0, 2.0) == "A"
    assert squares.lookup(0.0, 1.0) == "B"  # D and B


def test_lookup_many_matches_lookup(squares):
    lats = [0.5, 1.0, 1.0, 2.5, 0.0, 1.5, math.nan]
    lons = [0.5, 1.0, 0.5, 0.5, 1.0, 1.0, 0.5]
    assert squares.lookup_many(lats, lons) == [squares.lookup(a, o) for a, o in zip(lats, lons, strict=True)]
    assert squares.lookup_many([], []) == []


def test_holes_and_multipolygons():
    ring = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    islands = MultiPolygon([box(1.5, 1.5, 2.5, 2.5), box(10, 10, 11, 11)])
    index = GridIndex(["ring", "islands"], [ring, islands])
    assert index.lookup(0.5, 0.5) == "ring"
    assert index.lookup(1.2, 1.2) is None  # in the hole, outside the island
    assert index.lookup(2.0, 2.0) == "islands"
    assert index.lookup(10.5, 10.5) == "islands"
    assert index.lookup(6.0, 6.0) is None  # between them, inside the bounding box


def test_empty_index():
    index = GridIndex([], [])
    assert index.lookup(1.0, 1.0) is None
    assert index.lookup_many([1.0], [1.0]) == [None]


def _irregular_tiling(cols: int, rows: int, seed: int) -> dict[str, Polygon]:
    rng = random.Random(seed)
    vertex = {
        (i, j): (
            i + (rng.uniform(-0.3, 0.3) if 0 < i < cols else 0.0),
            j + (rng.uniform(-0.3, 0.3) if 0 < j < rows else 0.0),
        )
        for i in range(cols + 1)
        for j in range(rows + 1)
    }
    return {
        f"G{(i * 7 + j * 3) % (cols * rows):03d}-{i}-{j}": Polygon(
            [vertex[i, j], vertex[i + 1, j], vertex[i + 1, j + 1], vertex[i, j + 1]]
        )
        for i in range(cols)
        for j in range(rows)
    }


def test_irregular_tiling_agrees_with_brute_force():
    grids = _irregular_tiling(6, 4, seed=3)
    index = GridIndex(list(grids), list(grids.values()))
    codes = sorted(grids)
    geoms = [grids[code] for code in codes]
    rng = np.random.default_rng(5)
    xs = list(rng.uniform(-0.2, 6.2, 400))
    ys = list(rng.uniform(-0.2, 4.2, 400))
    # Every vertex and every edge midpoint: on borders by construction (up to rounding for midpoints).
    for geom in geoms:
        coords = list(geom.exterior.coords)
        for (x0, y0), (x1, y1) in itertools.pairwise(coords):
            xs += [x0, (x0 + x1) / 2]
            ys += [y0, (y0 + y1) / 2]
    single = [index.lookup(y, x) for x, y in zip(xs, ys, strict=True)]
    expected = [
        next(
            (code for code, geom in zip(codes, geoms, strict=True) if shapely.intersects_xy(geom, x, y)), None
        )
        for x, y in zip(xs, ys, strict=True)
    ]
    assert single == expected
    assert index.lookup_many(ys, xs) == expected
    # Inside the rectangle every point has a grid: no gaps along the borders.
    inside = [code for code, x, y in zip(single, xs, ys, strict=True) if 0 <= x <= 6 and 0 <= y <= 4]
    assert None not in inside


def test_duplicate_codes_are_refused():
    with pytest.raises(ValueError, match="unique"):
        GridIndex(["A", "A"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])


# --- The process-wide index and the selectors (database) ------------------------------------------------------


@pytest.mark.django_db
def test_grid_for_point_in_wgs84(imported_tree):
    grid = grid_for_point(32.01, 120.905)
    assert grid is not None and grid.code == "320612101001001"
    on_border = grid_for_point(32.01, 120.91)  # the shared border: the smallest code
    assert on_border is not None and on_border.code == "320612101001001"
    assert grid_for_point(32.05, 120.905) is None


@pytest.mark.django_db
@pytest.mark.parametrize("system", [CoordSystem.GCJ02, CoordSystem.BD09])
def test_grid_for_point_converts_chinese_coordinates(imported_tree, system):
    lat, lon = 32.01, 120.908  # in grid 1, 200 m from grid 2
    shifted_lat, shifted_lon = from_wgs84(lat, lon, system)
    found = grid_for_point(shifted_lat, shifted_lon, system=system)
    assert found is not None and found.code == "320612101001001"
    # Read as WGS-84, the shifted point would be in the wrong grid or in none.
    wrong = grid_for_point(shifted_lat, shifted_lon)
    assert wrong is None or wrong.code != "320612101001001"


@pytest.mark.django_db
def test_index_follows_invalidation(imported_tree, monkeypatch):
    first = get_grid_index()
    assert len(first) == 2
    assert get_grid_index() is first  # cached

    # Another process (a server worker, `gridgov import_areas`) invalidates through the database they share:
    # this one notices within a second, not before.
    Stamp.objects.filter(key=AREAS_STAMP).update(value="changed elsewhere")
    assert get_grid_index() is first
    now = stamps_module.time.monotonic()
    monkeypatch.setattr(stamps_module.time, "monotonic", lambda: now + 2)
    assert get_grid_index() is not first

    rebuilt = get_grid_index()
    invalidate_grid_index()  # this process: at once
    assert get_grid_index() is not rebuilt


@pytest.mark.django_db
def test_subtree_ancestors_and_map(imported_tree):
    from gridgov.geo.models import Area

    village = Area.objects.get(code="320612101001")
    grid = Area.objects.get(code="320612101001002")
    assert [a.code for a in area_subtree(village)] == ["320612101001", "320612101001001", "320612101001002"]
    assert [a.code for a in ancestors(grid)] == ["320600", "320612", "320612101", "320612101001"]

    grids = areas_geojson(level="grid")
    assert grids["type"] == "FeatureCollection"
    assert [f["properties"] for f in grids["features"]] == [
        {"code": "320612101001001", "name": "北渡村一网格", "level": "grid", "parent_code": "320612101001"},
        {"code": "320612101001002", "name": "北渡村二网格", "level": "grid", "parent_code": "320612101001"},
    ]
    everything = areas_geojson()
    assert "320600" not in {f["properties"]["code"] for f in everything["features"]}  # no boundary
    assert len(areas_geojson(within=village)["features"]) == 3


@pytest.mark.django_db
def test_index_keeps_serving_when_the_stamp_cannot_be_read(imported_tree, monkeypatch):
    first = get_grid_index()

    def broken(*args, **kwargs):
        raise ConnectionError("database gone")

    monkeypatch.setattr(stamps_module, "read_stamps", broken)
    now = stamps_module.time.monotonic()
    monkeypatch.setattr(
        stamps_module.time, "monotonic", lambda: now + 2
    )  # time to re-check the stamp: it fails
    assert get_grid_index() is first
    assert first.lookup(32.01, 120.905) == "320612101001001"
