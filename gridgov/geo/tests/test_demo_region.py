"""The committed Nantong demo region is well formed and tiles exactly.

Why: the demo, the map and grid lookup rely on "every point falls into exactly one grid", and the importer relies
on the file format (one feature per line, parents first, codes by prefix). These tests pin both, and that the
committed file is exactly what the generator produces, so nobody edits one without the other.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from gridgov.geo.demo import generate_region

DATA = Path(generate_region.__file__).resolve().parent.parent / "data" / "demo_region.geojson"

#: Tolerance for slivers, in square metres.
MAX_SLIVER_M2 = 1.0

PARENT_LEVEL = {"district": "city", "town": "district", "village": "town", "grid": "village"}
CODE_LENGTH = {"city": 6, "district": 6, "town": 9, "village": 12, "grid": 15}

NAMED_PLACES = {
    "南通市",
    "通州区",
    "崇川区",
    "海门区",
    "石港镇",
    "北渡村",
    "花市街村",
    "乐观村",
    "广济桥社区",
    "石西社区",
    "草市桥社区",
    "金新街道",
    "任港街道",
    "城港社区",
    "秦灶街道",
    "八里庙村社区",
    "虹桥街道",
    "狼山镇街道",
    "狼山社区",
    "海永镇",
    "临江新区",
}


def square_metres(geometry: Any, latitude: float) -> float:
    """Area in m² by a local equirectangular projection at ``latitude`` (plenty for sliver checks)."""
    metres_per_degree_lat = 110_574.0
    metres_per_degree_lon = 111_320.0 * math.cos(math.radians(latitude))
    return float(geometry.area) * metres_per_degree_lat * metres_per_degree_lon


@pytest.fixture(scope="module")
def text() -> str:
    return DATA.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def features(text: str) -> list[dict[str, Any]]:
    return [json.loads(line.removesuffix(",")) for line in text.splitlines()[1:-1]]


@pytest.fixture(scope="module")
def shapes(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in features}


@pytest.fixture(scope="module")
def by_code(features: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["code"]: f["properties"] for f in features}


@pytest.fixture(scope="module")
def children(features: list[dict[str, Any]]) -> dict[str, list[str]]:
    tree: dict[str, list[str]] = defaultdict(list)
    for f in features:
        if f["properties"]["parent_code"] is not None:
            tree[f["properties"]["parent_code"]].append(f["properties"]["code"])
    return tree


def test_file_is_a_feature_collection_with_one_feature_per_line(
    text: str, features: list[dict[str, Any]]
) -> None:
    lines = text.splitlines()
    assert lines[0] == '{"type": "FeatureCollection", "features": ['
    assert lines[-1] == "]}"
    assert all(f["type"] == "Feature" for f in features)
    assert json.loads(text)["features"] == features
    assert DATA.stat().st_size < 1_000_000


def test_every_boundary_is_a_valid_polygon_in_nantong(
    features: list[dict[str, Any]], shapes: dict[str, Any]
) -> None:
    for f in features:
        props, geometry = f["properties"], shapes[f["properties"]["code"]]
        assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}, props
        assert geometry.is_valid and not geometry.is_empty, props
        if props["level"] in {"town", "village", "grid"}:
            assert f["geometry"]["type"] == "Polygon", props
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        assert 120.5 < min_lon < max_lon < 122.0 and 31.5 < min_lat < max_lat < 32.5, props


def test_coordinates_have_at_most_six_decimals(text: str) -> None:
    assert not re.search(r"\d\.\d{7,}", text)


def test_counts_and_named_places(features: list[dict[str, Any]], children: dict[str, list[str]]) -> None:
    levels = Counter(f["properties"]["level"] for f in features)
    assert levels["city"] == 1
    assert levels["district"] == 3
    assert levels["grid"] >= 200
    names = {f["properties"]["name"] for f in features}
    assert names >= NAMED_PLACES
    for f in features:
        props = f["properties"]
        if props["level"] == "village":
            low, high = (6, 12) if props["name"].endswith("村") else (4, 8)
            assert low <= len(children[props["code"]]) <= high, props["name"]


def test_codes_follow_the_prefix_and_length_rules(
    features: list[dict[str, Any]], by_code: dict[str, dict[str, Any]]
) -> None:
    assert len(by_code) == len(features), "codes are unique"
    for f in features:
        props = f["properties"]
        code, level = props["code"], props["level"]
        assert code.isdigit() and len(code) == CODE_LENGTH[level], props
        if level == "city":
            assert props["parent_code"] is None
            continue
        parent = by_code[props["parent_code"]]
        assert parent["level"] == PARENT_LEVEL[level], props
        prefix = parent["code"][:4] if level == "district" else parent["code"]
        assert code.startswith(prefix), props


def test_names_and_aliases(features: list[dict[str, Any]], by_code: dict[str, dict[str, Any]]) -> None:
    for f in features:
        props = f["properties"]
        assert isinstance(props["aliases"], list) and all(isinstance(a, str) and a for a in props["aliases"])
        if props["level"] == "grid":
            village = by_code[props["parent_code"]]["name"]
            assert props["name"] == f"{village}第{int(props['code'][-3:])}网格"


def test_parents_precede_children(features: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for f in features:
        parent = f["properties"]["parent_code"]
        assert parent is None or parent in seen, f["properties"]
        seen.add(f["properties"]["code"])


@pytest.mark.parametrize(("alias", "village"), [("北渡村22组", "北渡村"), ("花市街村4组", "花市街村")])
def test_village_groups_are_aliases_of_exactly_one_grid(
    features: list[dict[str, Any]], by_code: dict[str, dict[str, Any]], alias: str, village: str
) -> None:
    grids = [f["properties"] for f in features if alias in f["properties"]["aliases"]]
    assert len(grids) == 1
    assert grids[0]["level"] == "grid"
    assert by_code[grids[0]["parent_code"]]["name"] == village


def test_no_alias_names_two_grids(features: list[dict[str, Any]]) -> None:
    aliases = Counter(
        a for f in features if f["properties"]["level"] == "grid" for a in f["properties"]["aliases"]
    )
    assert [a for a, n in aliases.items() if n > 1] == []


def test_every_area_lies_inside_its_parent(features: list[dict[str, Any]], shapes: dict[str, Any]) -> None:
    for f in features:
        props = f["properties"]
        if props["parent_code"] is None:
            continue
        child, parent = shapes[props["code"]], shapes[props["parent_code"]]
        outside = square_metres(child.difference(parent), parent.centroid.y)
        assert outside < MAX_SLIVER_M2, (props["name"], outside)


def test_siblings_do_not_overlap(shapes: dict[str, Any], children: dict[str, list[str]]) -> None:
    for parent_code, codes in children.items():
        latitude = shapes[parent_code].centroid.y
        for a, b in itertools.combinations(codes, 2):
            if shapes[a].intersects(shapes[b]):
                overlap = square_metres(shapes[a].intersection(shapes[b]), latitude)
                assert overlap < MAX_SLIVER_M2, (a, b, overlap)


def test_children_tile_their_parent(shapes: dict[str, Any], children: dict[str, list[str]]) -> None:
    for parent_code, codes in children.items():
        parent = shapes[parent_code]
        union = shapely.union_all([shapes[c] for c in codes])
        latitude = parent.centroid.y
        assert abs(square_metres(union, latitude) - square_metres(parent, latitude)) < MAX_SLIVER_M2
        assert square_metres(union.symmetric_difference(parent), latitude) < MAX_SLIVER_M2, parent_code


def test_generator_reproduces_the_committed_file(tmp_path: Path) -> None:
    output = tmp_path / "demo_region.geojson"
    generate_region.main(["--output", str(output)])
    assert output.read_bytes() == DATA.read_bytes()
