"""Generate the demo region of Nantong (南通市) as a GeoJSON file in the project's import format.

Why this exists: demos, the command-center map and the tests need a believable area tree (city → district →
town/street → village/community → grid) whose boundaries tile exactly, because "every point falls into exactly
one grid" is a rule the platform relies on. Real grid boundaries are not public, so we draw our own: the place
names above the grid are real, their centres roughly where the real places are, but **every boundary is
illustrative** and must never be mistaken for survey data. Codes follow the shape of the 统计用区划代码 (city and
district codes are the real ones; town and village codes are illustrative, with the usual 0xx for
communities and 2xx for villages; a grid adds a 3-digit suffix of ours).

How the shapes are made, and why it stays exact:

* each town is an irregular outline around its centre (a circle or ellipse bent by a few random harmonics, its
  edges then meandered); where neighbouring towns' outlines run into each other (the streets of 崇川区) the
  merged patch is split between them, so they share one border instead of overlapping;
* a town with villages keeps a small old-town core (镇区) for its communities and gives the countryside around it
  to its villages; a street (街道) is all communities;
* villages and grids are Voronoi cells of random seed points clipped to their parent (grid seeds relaxed twice
  towards their cells' centroids, so grids look like parcels rather than shards); every inner edge is then
  meandered once and the cells rebuilt by polygonizing, so both neighbours use the very same bent line;
* all grid boundaries of the whole city are finally converted to WGS-84, noded together once on a 1e-6° grid and
  polygonized: every shared edge exists once and is used, vertex for vertex, by both neighbours;
* every higher level is the union of its children, so villages tile towns and grids tile villages exactly
  (海永镇, an exclave on Chongming island, makes 海门区 and the city MultiPolygons).

The generator is deterministic: one fixed seed, one random stream per town derived from it, fixed iteration
order. Running it twice gives byte-identical output with the same GEOS version (another GEOS release may move
the last digit of a few coordinates).

Usage: ``python -m gridgov.geo.demo.generate_region [--output PATH]``.

Output format: a GeoJSON FeatureCollection with one feature per line, parents before children (features are
sorted by code, which is a depth-first order because a child's code starts with its parent's). Properties:
``code``, ``name``, ``level``, ``parent_code`` (null for the city) and ``aliases``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon

SEED = 20240611
#: Coordinate precision in degrees (about 0.1 m); also the grid on which all boundaries are noded.
GRID_SIZE = 1e-6
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "data" / "demo_region.geojson"

# One local equirectangular frame (kilometres) for the whole city: the shapes are illustrative, so the 1-2 %
# scale error across half a degree of latitude does not matter, and one frame keeps shared edges shared.
_ORIGIN_LAT = 32.0
_ORIGIN_LON = 121.0
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON = 111.320 * math.cos(math.radians(_ORIGIN_LAT))


@dataclass(frozen=True)
class VillageSpec:
    """A village (村, ``groups`` 村民小组 numbered 1..n) or a community (社区, compounds and streets)."""

    name: str
    grids: int
    groups: int = 0
    aliases: tuple[str, ...] = ()

    @property
    def is_rural(self) -> bool:
        return self.groups > 0


@dataclass(frozen=True)
class TownSpec:
    """A town or street (镇/街道): centre, rough size and shape, and its villages in code order."""

    code: str
    name: str
    lat: float
    lon: float
    radius_km: float
    villages: tuple[VillageSpec, ...]
    aliases: tuple[str, ...] = ()
    #: Ratio of the east-west to the north-south extent (海永镇 is a strip along the island's north shore).
    aspect: float = 1.0


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    towns: tuple[TownSpec, ...]
    aliases: tuple[str, ...] = ()


CITY_CODE = "320600"
CITY_NAME = "南通市"
CITY_ALIASES = ("南通", "通城")


def _v(name: str, grids: int, groups: int = 0, *aliases: str) -> VillageSpec:
    return VillageSpec(name=name, grids=grids, groups=groups, aliases=aliases)


# The place table. Columns of _v: name, number of grids, number of 村民小组 (0 for a community), aliases.
# Within a town, communities get codes 001, 002… and villages 201, 202…, in the order listed.
# fmt: off
DISTRICTS: tuple[DistrictSpec, ...] = (
    DistrictSpec("320602", "崇川区", aliases=("崇川",), towns=(
        TownSpec("320602003", "任港街道", 32.010, 120.845, 2.3, villages=(
            _v("城港社区", 6, 0, "城港"), _v("任港社区", 5), _v("桃园社区", 5), _v("长江社区", 4),
            _v("中港社区", 5),
        )),
        TownSpec("320602005", "虹桥街道", 31.996, 120.876, 2.0, villages=(
            _v("虹桥社区", 5), _v("虹西社区", 4), _v("虹东社区", 5), _v("五一社区", 4),
        )),
        TownSpec("320602011", "狼山镇街道", 31.964, 120.870, 2.4, aliases=("狼山镇", "狼山街道"), villages=(
            _v("狼山社区", 6, 0, "狼山"), _v("剑山社区", 5), _v("军山社区", 5), _v("黄泥山社区", 4),
        )),
        TownSpec("320602015", "秦灶街道", 32.052, 120.905, 2.0, villages=(
            _v("八里庙村社区", 6, 0, "八里庙村", "八里庙"), _v("秦灶社区", 5), _v("陆洪闸社区", 5),
            _v("永和社区", 4), _v("东港社区", 5),
        )),
    )),
    DistrictSpec("320612", "通州区", aliases=("通州", "通州市"), towns=(
        TownSpec("320612004", "金新街道", 32.068, 121.078, 2.3, aliases=("金新",), villages=(
            _v("金新社区", 6), _v("金北社区", 5), _v("南山湖社区", 7), _v("三里墩社区", 5), _v("碧华社区", 4),
            _v("新世纪社区", 6),
        )),
        TownSpec("320612103", "石港镇", 32.250, 120.970, 4.2, aliases=("石港",), villages=(
            _v("广济桥社区", 6, 0, "广济桥"), _v("石西社区", 5), _v("草市桥社区", 5, 0, "草市桥"),
            _v("北渡村", 10, 24, "北渡"), _v("花市街村", 8, 16, "花市街"), _v("乐观村", 9, 20, "乐观大队"),
            _v("新桥村", 7, 15), _v("卫海村", 8, 18, "原卫东村", "原海滨村"), _v("南渡村", 6, 13),
            _v("五总村", 9, 19, "五总"),
        )),
    )),
    DistrictSpec("320614", "海门区", aliases=("海门", "海门市"), towns=(
        # An exclave on the north shore of Chongming island (崇明岛), hence the long east-west strip.
        TownSpec("320614108", "海永镇", 31.722, 121.530, 2.2, aspect=3.2, aliases=("海永", "海永乡"), villages=(
            _v("海永村", 8, 16), _v("永南村", 7, 14), _v("永北村", 9, 18), _v("新跃村", 6, 12, "新跃大队"),
        )),
        TownSpec("320614400", "临江新区", 31.918, 121.048, 2.4, aliases=("海门临江新区",), villages=(
            _v("临江社区", 5), _v("江心沙社区", 6), _v("滨江社区", 4), _v("新江海社区", 5),
        )),
    )),
)
# fmt: on

# Word pools for the fictional residential compounds (小区) and street sections of urban grids.
_COMPOUND_STEMS = (
    "桃园", "紫琅", "江海", "濠东", "濠西", "星湖", "钟秀", "通甸", "和平", "幸福", "锦绣", "阳光", "世纪", "天安",
    "金桥", "银杏", "海棠", "翠竹", "丽景", "滨江", "港城", "学府", "长桥", "新华", "裕丰", "东方", "永兴", "盛世",
    "景瑞", "怡和", "康乐", "望江", "观澜", "聚福", "嘉和", "恒安", "瑞祥", "华庭", "春晖", "秀水", "碧桂", "书香",
    "翰林", "绿洲", "明珠", "富康", "启秀", "育才", "园林", "北濠", "南郊", "青枫", "朝晖", "丰乐", "安澜", "沁园",
)  # fmt: skip
_COMPOUND_SUFFIXES = (
    "花园", "新村", "小区", "苑", "家园", "公寓", "嘉园", "雅苑", "名邸", "佳苑", "华府", "新城", "一村", "二村",
)  # fmt: skip
_ROAD_STEMS = (
    "工农", "人民", "青年", "任港", "城港", "虹桥", "桃坞", "通甸", "永兴", "秦灶", "园林", "江山", "星湖", "世纪",
    "金沙", "银河", "建设", "解放", "跃龙", "南川", "长江", "濠南", "港闸", "八一", "文峰", "钟秀", "新港", "崇文",
)  # fmt: skip
_ROAD_SECTIONS = ("东段", "西段", "南段", "北段", "中段")


@dataclass
class _Node:
    """One area of the generated tree; ``geometry`` is in WGS-84 once the tree is built."""

    code: str
    name: str
    level: str
    parent_code: str | None
    aliases: list[str]
    geometry: Any = None


def _rng(*key: str) -> random.Random:
    """A random stream of its own for each key, so that editing one town does not reshape the others."""
    return random.Random(":".join((str(SEED), *key)))  # noqa: S311 - reproducible demo data, not secrets


# --- geometry helpers (all in the local kilometre frame until ``_to_wgs84``) -------------------------------

#: Working precision of the kilometre frame (1 mm), far finer than the output's 1e-6° (about 0.1 m).
_KM_GRID = 1e-6


def _project(lat: float, lon: float) -> tuple[float, float]:
    return (lon - _ORIGIN_LON) * _KM_PER_DEG_LON, (lat - _ORIGIN_LAT) * _KM_PER_DEG_LAT


def _to_wgs84(geometry: Any) -> Any:
    def convert(coords: np.ndarray) -> np.ndarray:
        lon = coords[:, 0] / _KM_PER_DEG_LON + _ORIGIN_LON
        lat = coords[:, 1] / _KM_PER_DEG_LAT + _ORIGIN_LAT
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, convert)


Coords = list[tuple[float, float]]


def _meander(coords: Coords, rng: random.Random, amplitude: float, step: float) -> Coords:
    """Bend a polyline by midpoint displacement, so edges look like field borders and creeks, not rulers.

    Each segment longer than ``step`` km gets its midpoint pushed sideways by up to ``amplitude`` times its
    length, recursively; the end points never move, so the line still meets its neighbours.
    """

    def split(p: tuple[float, float], q: tuple[float, float]) -> Coords:
        length = math.dist(p, q)
        if length < step:
            return [p, q]
        offset = rng.uniform(-amplitude, amplitude)
        mid = (
            (p[0] + q[0]) / 2 - (q[1] - p[1]) * offset,
            (p[1] + q[1]) / 2 + (q[0] - p[0]) * offset,
        )
        return split(p, mid) + split(mid, q)[1:]

    out = [coords[0]]
    for p, q in itertools.pairwise(coords):
        out.extend(split(p, q)[1:])
    return out


def _blob(rng: random.Random, x: float, y: float, radius: float, aspect: float = 1.0) -> Polygon:
    """An irregular outline around (x, y): a circle or ellipse bent by random low harmonics, then meandered.

    The harmonics give the overall shape (lobes, a dent), the meander the ragged detail of a real border.
    Retries (with the next random numbers) in the rare case the meander makes the ring cross itself.
    """
    while True:
        harmonics = [(k, rng.uniform(0.05, 0.24) / (k - 1), rng.uniform(0, 2 * math.pi)) for k in range(2, 6)]
        rotation = rng.uniform(-0.4, 0.4)
        rx, ry = radius * math.sqrt(aspect), radius / math.sqrt(aspect)
        corners: Coords = []
        n = 20
        for i in range(n):
            theta = 2 * math.pi * i / n
            r = 1 + sum(a * math.cos(k * theta + phase) for k, a, phase in harmonics)
            px, py = rx * r * math.cos(theta), ry * r * math.sin(theta)
            cx = x + px * math.cos(rotation) - py * math.sin(rotation)
            cy = y + px * math.sin(rotation) + py * math.cos(rotation)
            corners.append((cx, cy))
        ring = _meander([*corners, corners[0]], rng, 0.12, radius / 12)
        polygon = shapely.set_precision(Polygon(ring), _KM_GRID)
        if isinstance(polygon, Polygon) and polygon.is_valid and polygon.contains(Point(x, y)):
            return polygon


def _sample_points(rng: random.Random, region: Any, count: int, spacing: float | None = None) -> Coords:
    """``count`` random points in ``region``, kept apart so that no cell is a sliver.

    The minimum distance starts at ``spacing`` (default 70 % of the mean spacing) and shrinks when the region
    is too crowded, so the loop always ends.
    """
    minx, miny, maxx, maxy = region.bounds
    distance = spacing if spacing is not None else 0.7 * math.sqrt(region.area / count)
    points: Coords = []
    attempts = 0
    while len(points) < count:
        attempts += 1
        if attempts % 500 == 0:
            distance *= 0.9
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if region.contains(Point(p)) and all(math.dist(p, q) >= distance for q in points):
            points.append(p)
    return points


def _voronoi_cells(points: Coords, region: Any) -> list[Any]:
    """Voronoi cells of ``points`` clipped to ``region``, in the order of ``points``."""
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=region, ordered=True)
    return [cell.intersection(region) for cell in cells.geoms]


def _owner(face: Any, cells: list[Any]) -> int:
    """Index of the cell that overlaps ``face`` most."""
    overlaps = [cell.intersection(face).area for cell in cells]
    return overlaps.index(max(overlaps))


def _partition(
    region: Any, points: Coords, rng: random.Random, *, relax: int, amplitude: float, step: float
) -> list[Any] | None:
    """Split ``region`` into one cell per point, with meandering inner edges; None if a cell comes out split.

    Seeds are moved ``relax`` times to their cell's centroid (Lloyd relaxation) so cells look like parcels
    rather than shards.
    """
    cells = _voronoi_cells(points, region)
    for _ in range(relax):
        cells = _voronoi_cells([(c.centroid.x, c.centroid.y) for c in cells], region)
    if not all(isinstance(c, Polygon) for c in cells):
        return None
    return _meander_inner_edges(region, cells, rng, amplitude=amplitude, step=step)


def _meander_inner_edges(
    region: Any, cells: list[Any], rng: random.Random, *, amplitude: float, step: float
) -> list[Any]:
    """Bend every edge between two cells of ``region`` once, and rebuild the cells from the bent linework.

    The cells are rebuilt by polygonizing the noded linework, so the two cells on either side of an edge share
    the very same bent line. The region's own boundary is left untouched: it is shared with the neighbouring
    region. Should a bent edge cross another one, the bend is halved and tried again.
    """
    outer = region.boundary
    linework = shapely.line_merge(shapely.union_all([*shapely.boundary(cells), outer], grid_size=_KM_GRID))
    while amplitude > 0.01:
        edges = []
        for edge in shapely.get_parts(linework):
            if outer.distance(edge.interpolate(0.5, normalized=True)) < 1e-4:
                edges.append(edge)
            else:
                edges.append(LineString(_meander(list(edge.coords), rng, amplitude, step)))
        noded = shapely.union_all(edges, grid_size=_KM_GRID)
        faces = [
            f
            for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
            if f.area > 1e-9 and region.contains(f.point_on_surface())  # no zero-width crumbs
        ]
        owners = [_owner(face, cells) for face in faces]
        if sorted(owners) == list(range(len(cells))):
            result: list[Any] = [None] * len(cells)
            for face, owner in zip(faces, owners, strict=True):
                result[owner] = face
            return result
        amplitude /= 2
    return [shapely.set_precision(c, _KM_GRID) for c in cells]


def _clockwise_from_north(cells: list[Any], centre: Any) -> list[Any]:
    """Order cells clockwise starting due north of ``centre``, the way grids are usually numbered on a map."""

    def bearing(cell: Any) -> float:
        c = cell.point_on_surface()
        return math.atan2(c.x - centre.x, c.y - centre.y) % (2 * math.pi)

    return sorted(cells, key=bearing)


def _town_outlines() -> dict[str, Polygon]:
    """Town outlines (km), none overlapping another.

    Where the blobs of neighbouring towns (the streets of 崇川区) overlap, each point of the overlap goes to the
    nearest of the towns whose blob covers it, and the new common border is meandered like a village border.
    """
    towns = [town for district in DISTRICTS for town in district.towns]
    centres = [_project(town.lat, town.lon) for town in towns]
    blobs = [
        _blob(_rng(town.code, "outline"), *centre, town.radius_km, town.aspect)
        for town, centre in zip(towns, centres, strict=True)
    ]
    voronoi = shapely.voronoi_polygons(
        MultiPoint(centres), extend_to=shapely.union_all(blobs).envelope, ordered=True
    ).geoms
    outlines: dict[str, Polygon] = {}
    for patch in shapely.get_parts(shapely.union_all(blobs, grid_size=_KM_GRID)):
        members = [i for i, centre in enumerate(centres) if patch.contains(Point(centre))]
        if len(members) == 1:
            outlines[towns[members[0]].code] = blobs[members[0]]
            continue
        # Node the blob outlines with the Voronoi edges of the centres; each face goes to the nearest town whose
        # blob covers it. Built from one noded linework, neighbouring cells share their border exactly.
        linework = shapely.union_all(
            [*(blobs[i].boundary for i in members), *(voronoi[i].boundary for i in members)],
            grid_size=_KM_GRID,
        )
        faces: dict[int, list[Any]] = {i: [] for i in members}
        for face in shapely.get_parts(shapely.polygonize(shapely.get_parts(linework))):
            probe = face.point_on_surface()
            covering = [i for i in members if blobs[i].contains(probe)]
            if covering:
                faces[min(covering, key=lambda i: probe.distance(Point(centres[i])))].append(face)
        cells = []
        for i in members:
            parts = shapely.get_parts(shapely.union_all(faces[i], grid_size=_KM_GRID))
            cells.append(next(p for p in parts if p.contains(Point(centres[i]))))  # crumbs are dropped
        region = shapely.union_all(cells, grid_size=_KM_GRID)
        rng = _rng(*(towns[i].code for i in members))
        for i, cell in zip(
            members, _meander_inner_edges(region, cells, rng, amplitude=0.1, step=0.2), strict=True
        ):
            outlines[towns[i].code] = cell
    return outlines


def _village_cells(town: TownSpec, outline: Polygon, rng: random.Random) -> list[Any]:
    """Village cells (km), in spec order.

    In a town with villages, the communities share an old-town core (镇区) around the centre and the villages
    share the countryside around it: that is how a Jiangsu town looks. A street (街道) is all communities.
    """
    communities = [v for v in town.villages if not v.is_rural]
    villages = [v for v in town.villages if v.is_rural]
    centre = _project(town.lat, town.lon)
    while True:
        if not villages or not communities:
            points = _sample_points(rng, outline, len(town.villages))
            cells = _partition(outline, points, rng, relax=1, amplitude=0.1, step=0.2 if villages else 0.15)
        else:
            core = _blob(rng, *centre, town.radius_km * 0.28)
            if not core.within(outline.buffer(-0.3)):
                continue
            countryside = Polygon(outline.exterior.coords, [core.exterior.coords])
            core_cells = _partition(
                core, _sample_points(rng, core, len(communities)), rng, relax=1, amplitude=0.08, step=0.1
            )
            village_cells = _partition(
                countryside,
                _sample_points(rng, countryside, len(villages)),
                rng,
                relax=0,
                amplitude=0.1,
                step=0.2,
            )
            cells = None if core_cells is None or village_cells is None else core_cells + village_cells
        if cells is not None:
            by_name = dict(zip([v.name for v in communities + villages], cells, strict=True))
            return [by_name[v.name] for v in town.villages]


# --- names and aliases -------------------------------------------------------------------------------------


class _AliasMaker:
    """Fictional compound and street names for urban grids, unique across the whole city.

    Unique because the platform resolves free text like "桃园新村" to a grid; an alias shared by two grids would
    make the demo's lookups ambiguous.
    """

    def __init__(self) -> None:
        self.used: set[str] = set()

    def _fresh(self, make: Callable[[], str]) -> str:
        while True:
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name

    def urban(self, rng: random.Random) -> list[str]:
        """One to three compounds, and often the street section they lie on."""

        def compound() -> str:
            stem = rng.choice(_COMPOUND_STEMS)
            suffix = rng.choice([s for s in _COMPOUND_SUFFIXES if stem[-1] not in s])  # no "南苑苑"
            return stem + suffix

        names = [self._fresh(compound) for _ in range(rng.choice((1, 2, 2, 3)))]
        if rng.random() < 0.6:
            names.append(self._fresh(lambda: rng.choice(_ROAD_STEMS) + "路" + rng.choice(_ROAD_SECTIONS)))
        return names


def _group_aliases(village: VillageSpec, grid_count: int) -> list[list[str]]:
    """Split groups 1..n into consecutive runs, one per grid (earlier grids take the remainder)."""
    base, extra = divmod(village.groups, grid_count)
    runs: list[list[str]] = []
    start = 1
    for i in range(grid_count):
        size = base + (1 if i < extra else 0)
        runs.append([f"{village.name}{g}组" for g in range(start, start + size)])
        start += size
    return runs


# --- building the tree -------------------------------------------------------------------------------------


def _village_code(town: TownSpec, village: VillageSpec) -> str:
    communities = [v for v in town.villages if not v.is_rural]
    villages = [v for v in town.villages if v.is_rural]
    if village.is_rural:
        return f"{town.code}{201 + villages.index(village):03d}"
    return f"{town.code}{1 + communities.index(village):03d}"


def _snap_grids(cells_km: list[Any]) -> list[Any]:
    """Turn the grid cells (km) into an exact tiling on the 1e-6° grid in WGS-84.

    All cell boundaries of the city are noded together once (snap-rounding), then polygonized; each face goes to
    the cell that contains one of its interior points, and faces outside every cell (gaps between towns) are
    dropped. Shared edges are therefore identical, vertex for vertex, on both sides. Snap-rounding can leave a
    crumb (a few cm wide) on the wrong side of an edge; crumbs join the neighbour they share most border with,
    so that every grid stays one polygon.
    """
    cells = [_to_wgs84(c) for c in cells_km]
    linework = shapely.union_all(shapely.boundary(cells), grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    tree = shapely.STRtree(cells)
    pieces: list[list[Any]] = [[] for _ in cells]
    for face in faces:
        hits = [int(i) for i in tree.query(face.point_on_surface(), predicate="intersects")]
        if hits:
            owner = max(hits, key=lambda i: (cells[i].intersection(face).area, -i))
            pieces[owner].append(face)
    grids = [shapely.union_all(parts, grid_size=GRID_SIZE) for parts in pieces]
    for i, grid in enumerate(grids):
        parts = sorted(shapely.get_parts(grid), key=lambda p: -p.area)
        if len(parts) < 2:
            continue
        grids[i] = parts[0]
        for crumb in parts[1:]:
            neighbours = [int(j) for j in tree.query(crumb, predicate="intersects") if j != i]
            if not neighbours:
                continue  # a loose speck outside every other cell: nothing to attach it to, and no area to speak of
            best = max(neighbours, key=lambda j: (grids[j].boundary.intersection(crumb.boundary).length, -j))
            grids[best] = shapely.union_all([grids[best], crumb], grid_size=GRID_SIZE)
    for i, grid in enumerate(grids):
        if not isinstance(grid, Polygon) or not grid.is_valid:
            raise RuntimeError(f"grid cell {i} did not come out as one valid polygon: {grid.geom_type}")
    return grids


def build_tree() -> list[_Node]:
    """The whole area tree with WGS-84 boundaries, sorted by code (parents first)."""
    outlines = _town_outlines()
    aliases = _AliasMaker()
    nodes: list[_Node] = [_Node(CITY_CODE, CITY_NAME, "city", None, list(CITY_ALIASES))]
    grid_nodes: list[_Node] = []
    grid_cells: list[Any] = []
    for district in DISTRICTS:
        nodes.append(_Node(district.code, district.name, "district", CITY_CODE, list(district.aliases)))
        for town in district.towns:
            rng = _rng(town.code)
            nodes.append(_Node(town.code, town.name, "town", district.code, list(town.aliases)))
            outline = outlines[town.code]
            for village, vcell in zip(town.villages, _village_cells(town, outline, rng), strict=True):
                vcode = _village_code(town, village)
                nodes.append(_Node(vcode, village.name, "village", town.code, list(village.aliases)))
                cells = None
                while cells is None:
                    seeds = _sample_points(rng, vcell, village.grids)
                    cells = _partition(vcell, seeds, rng, relax=2, amplitude=0.07, step=0.08)
                cells = _clockwise_from_north(cells, vcell.point_on_surface())
                groups = _group_aliases(village, village.grids) if village.is_rural else None
                for n, cell in enumerate(cells, start=1):
                    grid_aliases = groups[n - 1] if groups is not None else aliases.urban(rng)
                    grid_nodes.append(
                        _Node(f"{vcode}{n:03d}", f"{village.name}第{n}网格", "grid", vcode, grid_aliases)
                    )
                    grid_cells.append(cell)
    for node, geometry in zip(grid_nodes, _snap_grids(grid_cells), strict=True):
        node.geometry = geometry
    nodes.extend(grid_nodes)
    _fill_parents(nodes)
    return sorted(nodes, key=lambda node: node.code)


def _fill_parents(nodes: list[_Node]) -> None:
    """Give every area above the grid the union of its children, deepest level first."""
    by_code = {node.code: node for node in nodes}
    for level in ("grid", "village", "town", "district"):
        children: dict[str, list[Any]] = {}
        for node in nodes:
            if node.level == level and node.parent_code is not None:
                children.setdefault(node.parent_code, []).append(node.geometry)
        for parent_code, geometries in children.items():
            by_code[parent_code].geometry = shapely.union_all(geometries, grid_size=GRID_SIZE)


# --- writing -----------------------------------------------------------------------------------------------


def _ring(coords: Any) -> list[list[float]]:
    return [[round(x, 6), round(y, 6)] for x, y in coords]


def _geojson_geometry(geometry: Any) -> dict[str, Any]:
    """GeoJSON geometry with RFC 7946 winding (exterior counter-clockwise) and 6-decimal coordinates."""
    geometry = shapely.orient_polygons(geometry)
    polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    if not all(isinstance(p, Polygon) for p in polygons):
        raise TypeError(f"expected polygons, got {geometry.geom_type}")
    rings = [[_ring(p.exterior.coords)] + [_ring(i.coords) for i in p.interiors] for p in polygons]
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def render(nodes: list[_Node]) -> str:
    """The FeatureCollection text: a header line, one feature per line, a closing line."""
    lines = []
    for node in nodes:
        if node.geometry is None or not node.geometry.is_valid:
            raise ValueError(f"{node.code} {node.name}: missing or invalid boundary")
        feature = {
            "type": "Feature",
            "properties": {
                "code": node.code,
                "name": node.name,
                "level": node.level,
                "parent_code": node.parent_code,
                "aliases": node.aliases,
            },
            "geometry": _geojson_geometry(node.geometry),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gridgov.geo.demo.generate_region",
        description=__doc__.split("\n", 1)[0] if __doc__ else None,
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    text = render(build_tree())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
