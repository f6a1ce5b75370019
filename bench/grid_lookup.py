"""Benchmark: point-in-grid lookups per second, single-threaded.

Run with ``.venv/bin/python bench/grid_lookup.py [--grids 5000] [--points 200000]``. Measures
``GridIndex.lookup`` (one point at a time, as a web request or a form does) and ``GridIndex.lookup_many``
(vectorised, as bulk imports do) for

(a) the demo region, when ``gridgov/geo/data/demo_region.geojson`` exists (its grid-level features), and
(b) a synthetic region: a rectangle tiled by irregular grids (a jittered lattice whose edges are bent by shared
    jittered points, so neighbours share borders exactly, as real grid maps do).

Points are uniform in the bounding boxes (grown by 10 %) of randomly chosen grids: where people are, many near
borders, some outside every grid. No database is needed: the index is built from geometries directly.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

from gridgov.geo.geojson_io import read_features  # noqa: E402
from gridgov.geo.geometry import parse_geometry  # noqa: E402
from gridgov.geo.index import GridIndex  # noqa: E402

DEMO_FILE = ROOT / "gridgov" / "geo" / "data" / "demo_region.geojson"


def synthetic_region(count: int, *, seed: int = 20261127) -> tuple[list[str], list[Polygon]]:
    """About ``count`` irregular grids (~300 m across) tiling a rectangle near Nantong, sharing borders exactly."""
    rng = random.Random(seed)
    cols = max(1, round((2 * count) ** 0.5))
    rows = max(1, round(count / cols))
    step = 0.003  # degrees, ~300 m
    lon0, lat0 = 120.80, 31.90
    vertex = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            jitter = 0.2 * step
            dx = rng.uniform(-jitter, jitter) if 0 < i < cols else 0.0
            dy = rng.uniform(-jitter, jitter) if 0 < j < rows else 0.0
            vertex[i, j] = (lon0 + i * step + dx, lat0 + j * step + dy)

    bends = 3

    def bent_edge(
        a: tuple[float, float], b: tuple[float, float], on_border: bool
    ) -> list[tuple[float, float]]:
        (ax, ay), (bx, by) = a, b
        nx, ny = -(by - ay), bx - ax  # normal, the edge's length
        points = []
        for k in range(1, bends + 1):
            t = k / (bends + 1)
            off = 0.0 if on_border else rng.uniform(-0.12, 0.12)
            points.append((ax + t * (bx - ax) + off * nx, ay + t * (by - ay) + off * ny))
        return points

    horizontal = {
        (i, j): bent_edge(vertex[i, j], vertex[i + 1, j], j in (0, rows))
        for i in range(cols)
        for j in range(rows + 1)
    }
    vertical = {
        (i, j): bent_edge(vertex[i, j], vertex[i, j + 1], i in (0, cols))
        for i in range(cols + 1)
        for j in range(rows)
    }
    codes, polygons = [], []
    for i in range(cols):
        for j in range(rows):
            ring = [vertex[i, j], *horizontal[i, j], vertex[i + 1, j], *vertical[i + 1, j]]
            ring += [vertex[i + 1, j + 1], *reversed(horizontal[i, j + 1]), vertex[i, j + 1]]
            ring += [*reversed(vertical[i, j])]
            polygon = Polygon(ring)
            if not polygon.is_valid:
                raise SystemExit(f"synthetic grid {i},{j} is invalid: {shapely.is_valid_reason(polygon)}")
            codes.append(f"320612101{i:03d}{j:03d}")
            polygons.append(polygon)
    return codes, polygons


def demo_region() -> tuple[list[str], list[Polygon]] | None:
    if not DEMO_FILE.is_file():
        return None
    codes, polygons = [], []
    for feature in read_features(DEMO_FILE.read_text(encoding="utf-8")):
        properties = feature.data.get("properties") or {}
        if properties.get("level") == "grid" and feature.data.get("geometry"):
            codes.append(str(properties["code"]))
            polygons.append(parse_geometry(feature.data["geometry"]))
    return codes, polygons


def run(label: str, codes: list[str], polygons: list[Polygon], points: int) -> None:
    started = time.perf_counter()
    index = GridIndex(codes, polygons)
    build = time.perf_counter() - started
    stats = index.stats()
    print(f"\n{label}: {len(codes)} grids, index built in {build:.2f} s")
    print(f"  cells {stats['cells']}: solid {stats['solid']}, mixed {stats['mixed']}, empty {stats['empty']}")

    # Points where people are: uniform in the bounding box (grown by 10 %) of a random grid, so sparse regions are
    # not measured on empty space; some points fall outside every grid, many near borders.
    rng = np.random.default_rng(7)
    bounds = shapely.bounds(np.array(polygons, dtype=object))
    chosen = bounds[rng.integers(0, len(polygons), points)]
    grow_x = (chosen[:, 2] - chosen[:, 0]) * 0.1
    grow_y = (chosen[:, 3] - chosen[:, 1]) * 0.1
    lons = rng.uniform(chosen[:, 0] - grow_x, chosen[:, 2] + grow_x)
    lats = rng.uniform(chosen[:, 1] - grow_y, chosen[:, 3] + grow_y)
    lon_list, lat_list = lons.tolist(), lats.tolist()

    lookup = index.lookup
    started = time.perf_counter()
    single = [lookup(lat, lon) for lat, lon in zip(lat_list, lon_list, strict=True)]
    elapsed = time.perf_counter() - started
    print(
        f"  lookup (one at a time): {points / elapsed:>12,.0f} lookups/s  ({elapsed * 1e6 / points:.2f} µs each)"
    )

    started = time.perf_counter()
    many = index.lookup_many(lats, lons)
    elapsed = time.perf_counter() - started
    print(f"  lookup_many (vectorised): {points / elapsed:>10,.0f} lookups/s")

    outside = sum(code is None for code in single)
    print(f"  {outside} of {points} points outside every grid; both methods agree: {single == many}")
    if single != many:
        raise SystemExit("lookup and lookup_many disagree")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--grids", type=int, default=5000, help="grids in the synthetic region (default 5000)"
    )
    parser.add_argument("--points", type=int, default=200_000, help="random points per measurement")
    args = parser.parse_args()

    demo = demo_region()
    if demo is None:
        print(f"(a) demo region: skipped, {DEMO_FILE.relative_to(ROOT)} does not exist")
    elif not demo[0]:
        print(f"(a) demo region: skipped, {DEMO_FILE.relative_to(ROOT)} has no grid features")
    else:
        run("(a) demo region", *demo, points=args.points)

    codes, polygons = synthetic_region(args.grids)
    run("(b) synthetic region", codes, polygons, points=args.points)


if __name__ == "__main__":
    main()
