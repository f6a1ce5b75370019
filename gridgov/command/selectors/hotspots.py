"""Hotspots (分析研判 on the map): where the cases of a period cluster. Points are binned in SQL first
(``analysis.CellGrid``), so the cost follows the number of occupied cells, not the number of cases (recurrence, the
other place analysis, is in ``recurrence.py`` and shares the helpers below).

Hotspots (热点), in three steps:

1. SQL snaps each case to a cell of ``eps_m / 3`` metres (``analysis.CellGrid``) and groups by cell: count and
   the sums of latitude and longitude (for the true centre of the cell's cases).
2. scikit-learn's DBSCAN clusters the occupied cells (haversine metric; ``eps`` = ``eps_m`` metres; each cell
   weighted by its count; ``min_samples`` = ``min_cases``): a cell is a core cell when at least ``min_cases``
   cases lie in cells within ``eps_m`` of it, and a hotspot is a connected set of core cells with their border
   cells. A grid prefilter hands DBSCAN only the cells that can matter (same clusters, far less work).
3. A second query, on the cells of the hotspots kept, counts their categories and grids.

A hotspot is named by its anchor cell (the cell with the most cases), which is what the page's link to the cases
behind a hotspot carries; ``find_hotspot`` recomputes the hotspots with the same parameters and picks it again.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from django.db.models import Count, QuerySet, Sum

from gridgov.cases.models import Case, Category
from gridgov.command.periods import Period
from gridgov.command.selectors.analysis import (
    KEY_BASE,
    MIN_CELL_M,
    CellGrid,
    analysis_cases,
    fetch_floats,
    in_period,
    reference_latitude,
)
from gridgov.geo.geometry import EARTH_RADIUS_M
from gridgov.geo.models import Area

DEFAULT_EPS_M = 300
#: The smallest automatic minimum (and the usual one in a town over a week or a month).
DEFAULT_MIN_CASES = 10
#: An automatic minimum is this many times the cases an eps-circle holds at the area's average density.
AUTO_DENSITY_FACTOR = 4
DEFAULT_LIMIT = 20
MIN_EPS_M = 60
MAX_EPS_M = 3000
#: At most this many cells go to DBSCAN (a few hundred milliseconds on a small server); more raise
#: ``HotspotsTooDense``.
MAX_CLUSTER_CELLS = 20_000
#: The hotspots' cells are named in the breakdown query (categories, grids) up to this many; beyond, it groups
#: every cell and keeps the hotspots' rows.
MAX_BREAKDOWN_CELLS = 5_000
#: Cells whose neighbourhoods are looked up at once by the prefilter.
SEED_CHUNK = 20_000
#: The largest grid rectangle the summed-area table is built over (8 bytes a cell).
MAX_RASTER_CELLS = 4_000_000
#: How many categories and grids a hotspot names.
TOP_CATEGORIES = 3
TOP_GRIDS = 3


@dataclass(frozen=True)
class CaseRow:
    """One case as the analysis lists show it (number, date, status, category, grid, title)."""

    number: str
    title: str
    reported_at: datetime
    status: str
    status_label: str
    category_label: str
    grid_name: str
    lat: float
    lon: float

    @classmethod
    def of(cls, case: Case) -> CaseRow:
        """The row of a case loaded with its category and grid (``select_related``)."""
        return cls(
            number=case.number,
            title=case.title,
            reported_at=case.reported_at,
            status=case.status,
            status_label=str(case.get_status_display()),
            category_label=case.category.display_name if case.category else "",
            grid_name=case.grid.name if case.grid else "",
            lat=case.lat or 0.0,
            lon=case.lon or 0.0,
        )


@dataclass(frozen=True)
class Share:
    """A category or grid of a hotspot, with its number of cases."""

    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Hotspot:
    """A cluster of cases: centre (weighted by cases), a radius covering its cells, the number of cases, the
    largest categories and grids, and the cells it is made of (``anchor`` names it)."""

    rank: int
    anchor: int
    lat: float
    lon: float
    radius_m: float
    cases: int
    cells: tuple[int, ...]
    categories: tuple[Share, ...]
    grids: tuple[Share, ...]
    grid: CellGrid

    def as_json(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "anchor": self.anchor,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "radius": round(self.radius_m),
            "cases": self.cases,
            "categories": [{"label": s.label, "count": s.count} for s in self.categories],
            "grids": [{"label": s.label, "count": s.count} for s in self.grids],
        }


class HotspotsTooDense(Exception):
    """Too many cells qualify for clustering within the time budget (a low minimum over a large area or period):
    the caller should ask for a higher minimum, a smaller area or a shorter period."""

    def __init__(self, cells: int, min_cases: int) -> None:
        super().__init__(f"{cells} cells qualify with min_cases={min_cases}")
        self.cells = cells
        self.min_cases = min_cases


@dataclass(frozen=True)
class HotspotResult:
    """The hotspots found and the parameters actually used (``min_cases`` may have been chosen automatically)."""

    hotspots: list[Hotspot]
    eps_m: float
    min_cases: int
    automatic: bool
    cases: int  # located cases counted in the period
    cell_m: float


def hotspot_grid(area: Area, eps_m: float) -> CellGrid:
    """The cells hotspots are binned into: a third of ``eps_m`` (100 m for the default 300 m)."""
    return CellGrid.around(max(float(eps_m) / 3, MIN_CELL_M), reference_latitude(area))


def automatic_min_cases(cases: int, extent_m2: float, eps_m: float) -> int:
    """The default threshold: ``AUTO_DENSITY_FACTOR`` times the number of cases a circle of radius ``eps_m``
    would hold if the cases were spread evenly over ``extent_m2``, and at least ``DEFAULT_MIN_CASES``. A hotspot
    is then a place markedly denser than the area's average, for a week of a town as for a year of a district."""
    disc = math.pi * eps_m**2
    expected = cases * disc / max(extent_m2, disc)
    return max(DEFAULT_MIN_CASES, math.ceil(AUTO_DENSITY_FACTOR * expected))


def hotspots(
    area: Area,
    period: Period,
    category: Category | None = None,
    *,
    channel: str | None = None,
    eps_m: float = DEFAULT_EPS_M,
    min_cases: int | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> list[Hotspot]:
    """The hotspots of ``area`` in ``period``, most cases first (at most ``limit``; None for all).

    ``min_cases`` None chooses it from the density (``automatic_min_cases``). Cases without coordinates and merged
    duplicates are not counted. Raises ``HotspotsTooDense`` when a very low minimum makes too many places qualify.
    """
    return hotspot_analysis(
        area, period, category, channel=channel, eps_m=eps_m, min_cases=min_cases, limit=limit
    ).hotspots


def hotspot_analysis(
    area: Area,
    period: Period,
    category: Category | None = None,
    *,
    channel: str | None = None,
    eps_m: float = DEFAULT_EPS_M,
    min_cases: int | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> HotspotResult:
    """``hotspots`` with the parameters it used (what the page shows beside the form)."""
    from sklearn.cluster import DBSCAN  # imported on first use: loading scikit-learn takes a second

    eps_m = min(max(float(eps_m), MIN_EPS_M), MAX_EPS_M)
    grid = hotspot_grid(area, eps_m)
    # One row per cell: key, cases, Σ latitude, Σ longitude. Read straight from the cursor into floats (keys stay
    # below 2⁵³): the ORM's per-value converters would cost more than the query on a large area.
    located = _located(area, period, category, channel).annotate(cell=grid.key()).order_by()
    data = fetch_floats(
        located.values_list("cell").annotate(n=Count("pk"), lat_sum=Sum("lat"), lon_sum=Sum("lon")),
        ["cell", "n", "lat_sum", "lon_sum"],
    )
    order = np.argsort(data[:, 0])
    cells = data[order, 0].astype(np.int64)  # distinct: one row per cell
    weight, lat, lon = data[order, 1], data[order, 2], data[order, 3]
    total = int(weight.sum())
    automatic = min_cases is None
    if min_cases is None:
        min_cases = automatic_min_cases(total, _extent_m2(cells, grid), eps_m)
    min_cases = max(int(min_cases), 2)
    result = HotspotResult(
        hotspots=[], eps_m=eps_m, min_cases=min_cases, automatic=automatic, cases=total, cell_m=grid.size_m
    )
    if total < min_cases:
        return result
    lat, lon = lat / weight, lon / weight

    # DBSCAN only needs the cells that can be core cells and their neighbours: find them on the grid first.
    candidates = _candidate_cells(cells, weight, lat, lon, grid, eps_m, min_cases)
    if candidates.size > MAX_CLUSTER_CELLS:
        raise HotspotsTooDense(int(candidates.size), min_cases)
    if candidates.size == 0:
        return result
    labels = np.full(len(cells), -1, dtype=np.int64)
    labels[candidates] = (
        DBSCAN(eps=eps_m / EARTH_RADIUS_M, min_samples=min_cases, metric="haversine", algorithm="ball_tree")
        .fit(
            np.radians(np.column_stack([lat[candidates], lon[candidates]])), sample_weight=weight[candidates]
        )
        .labels_
    )
    clusters = []
    clustered = np.flatnonzero(labels >= 0)
    by_label = clustered[np.argsort(labels[clustered], kind="stable")]
    for members in np.split(by_label, np.flatnonzero(np.diff(labels[by_label])) + 1):
        if members.size:
            # The anchor: the fullest cell (the smallest key among equals), a stable name for the hotspot.
            fullest = members[np.lexsort((cells[members], -weight[members]))[0]]
            clusters.append(
                (-float(weight[members].sum()), int(cells[fullest]), int(labels[members[0]]), members)
            )
    clusters.sort(key=lambda c: (c[0], c[1]))
    if limit is not None:
        clusters = clusters[:limit]
    if not clusters:
        return result

    # Categories and grids of the hotspots kept: a second query, on their cells only.
    label_of = {int(cell): label for _n, _a, label, members in clusters for cell in cells[members].tolist()}
    by_category: dict[int, Counter[int]] = defaultdict(Counter)
    by_grid: dict[int, Counter[int]] = defaultdict(Counter)
    shares = located.filter(cell__in=sorted(label_of)) if len(label_of) <= MAX_BREAKDOWN_CELLS else located
    for cell, category_id, grid_id, n in (
        shares.values_list("cell", "category_id", "grid_id").annotate(n=Count("pk")).order_by()
    ):
        owner = label_of.get(cell)
        if owner is None:
            continue
        if category_id is not None:
            by_category[owner][category_id] += n
        if grid_id is not None:
            by_grid[owner][grid_id] += n
    category_names = {
        c.pk: (c.code, c.display_name)
        for c in Category.objects.filter(pk__in={k for counter in by_category.values() for k in counter})
    }
    grid_names = {
        a.pk: (a.code, a.name)
        for a in Area.objects.filter(pk__in={k for counter in by_grid.values() for k in counter})
    }

    found = []
    for rank, (negative, anchor, label, members) in enumerate(clusters, start=1):
        cases = -negative
        centre_lat = float((lat[members] * weight[members]).sum() / cases)
        centre_lon = float((lon[members] * weight[members]).sum() / cases)
        reach = float(
            _haversine_m(
                np.full(members.size, centre_lat),
                np.full(members.size, centre_lon),
                lat[members],
                lon[members],
            ).max()
        )
        found.append(
            Hotspot(
                rank=rank,
                anchor=anchor,
                lat=centre_lat,
                lon=centre_lon,
                radius_m=reach + grid.size_m / 2,
                cases=round(cases),
                cells=tuple(cells[members].tolist()),
                categories=_top(by_category[label], category_names, TOP_CATEGORIES),
                grids=_top(by_grid[label], grid_names, TOP_GRIDS),
                grid=grid,
            )
        )
    return replace(result, hotspots=found)


def _extent_m2(cells: np.ndarray, grid: CellGrid) -> float:
    """The area of the rectangle of cells holding the cases (the extent their density is measured over)."""
    if cells.size == 0:
        return 0.0
    rows, columns = cells // KEY_BASE, cells % KEY_BASE
    height = int(rows.max() - rows.min() + 1)
    width = int(columns.max() - columns.min() + 1)
    return height * width * grid.size_m**2


def _candidate_cells(
    cells: np.ndarray,
    weight: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    grid: CellGrid,
    eps_m: float,
    min_cases: int,
) -> np.ndarray:
    """Indexes (into the sorted ``cells``) of every cell that is a core cell (at least ``min_cases`` cases in the
    cells whose centres lie within ``eps_m`` of its centre) or lies within ``eps_m`` of one: what DBSCAN needs to
    give the same clusters as on all cells.

    Two passes over the grid, each linear in the cells: a box of (2k + 1)² cells around each cell bounds its
    neighbourhood from above (a summed-area table), which rules out most cells; for the rest, the neighbours are
    looked up cell offset by cell offset and their distance computed like DBSCAN's haversine (with a hair of
    slack, so that rounding never drops a neighbour DBSCAN would count)."""
    reach_m = eps_m * (1 + 1e-9)
    # A cell's centre lies anywhere in it, so cells k apart may still be within eps (0.9: the cells' width varies
    # a little with latitude around the reference).
    k = int(eps_m // (0.9 * grid.size_m)) + 1
    rows, columns = cells // KEY_BASE, cells % KEY_BASE
    seeds = np.flatnonzero(_box_upper_bound(rows, columns, weight, k) >= min_cases)
    step = 0.9 * grid.size_m
    offsets = np.array(
        [
            dr * KEY_BASE + dc
            for dr in range(-k, k + 1)
            for dc in range(-k, k + 1)
            if (max(abs(dr) - 1, 0) * step) ** 2 + (max(abs(dc) - 1, 0) * step) ** 2 <= reach_m**2
        ],
        dtype=np.int64,
    )
    wanted = np.zeros(len(cells), dtype=bool)
    # In chunks of seeds, so memory stays bounded and a hopeless case stops early.
    for start in range(0, seeds.size, SEED_CHUNK):
        chunk = seeds[start : start + SEED_CHUNK]
        target = (cells[chunk][:, None] + offsets[None, :]).ravel()
        position = np.minimum(np.searchsorted(cells, target), len(cells) - 1)
        hit = cells[position] == target
        i, j = np.repeat(chunk, offsets.size)[hit], position[hit]
        near = _haversine_m(lat[i], lon[i], lat[j], lon[j]) <= reach_m
        i, j = i[near], j[near]
        core = np.bincount(i, weights=weight[j], minlength=len(cells)) >= min_cases
        wanted |= core
        wanted[j[core[i]]] = True
        if np.count_nonzero(wanted) > MAX_CLUSTER_CELLS:
            break  # the caller refuses: too many cells to cluster
    return np.flatnonzero(wanted)


def _box_upper_bound(rows: np.ndarray, columns: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """For each cell, the cases in the (2k + 1) × (2k + 1) cells around it (a summed-area table over the
    rectangle of occupied cells); every cell when that rectangle is too large to hold in memory."""
    top, left = int(rows.min()) - k, int(columns.min()) - k
    height, width = int(rows.max()) - top + k + 1, int(columns.max()) - left + k + 1
    if height * width > MAX_RASTER_CELLS:
        return np.full(len(rows), np.inf)
    raster = np.zeros((height + 1, width + 1))
    np.add.at(raster, (rows - top + 1, columns - left + 1), weight)
    table = raster.cumsum(axis=0).cumsum(axis=1)
    r, c = rows - top, columns - left
    r0, r1 = r - k, r + k + 1
    c0, c1 = c - k, c + k + 1
    return table[r1, c1] - table[r0, c1] - table[r1, c0] + table[r0, c0]


def _haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres, the formula of scikit-learn's haversine metric."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def find_hotspot(
    area: Area,
    period: Period,
    anchor: int,
    category: Category | None = None,
    *,
    channel: str | None = None,
    eps_m: float = DEFAULT_EPS_M,
    min_cases: int | None = None,
) -> Hotspot | None:
    """The hotspot (computed with these parameters) that contains the cell ``anchor``; None when there is none
    (the data or the parameters changed since the link was made)."""
    for hotspot in hotspots(
        area, period, category, channel=channel, eps_m=eps_m, min_cases=min_cases, limit=None
    ):
        if hotspot.anchor == anchor or anchor in hotspot.cells:
            return hotspot
    return None


def hotspot_cases(
    area: Area,
    period: Period,
    hotspot: Hotspot,
    category: Category | None = None,
    *,
    channel: str | None = None,
) -> QuerySet[Case]:
    """The cases behind ``hotspot`` (the same filters it was computed with), newest first."""
    return (
        _located(area, period, category, channel)
        .annotate(cell=hotspot.grid.key())
        .filter(cell__in=list(hotspot.cells))
        .select_related("category", "grid")
        .order_by("-reported_at", "-id")
    )


def _located(area: Area, period: Period, category: Category | None, channel: str | None) -> QuerySet[Case]:
    return in_period(analysis_cases(area, category=category, channel=channel), period).filter(
        lat__isnull=False, lon__isnull=False
    )


def _top(counter: Counter[int], names: dict[int, tuple[str, str]], limit: int) -> tuple[Share, ...]:
    ranked = sorted(((n, key) for key, n in counter.items() if key in names), key=lambda p: (-p[0], p[1]))
    return tuple(Share(code=names[key][0], label=names[key][1], count=n) for n, key in ranked[:limit])
