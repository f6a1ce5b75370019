"""Recurrence (重复发生, 分析研判): one category coming back to the same spot again and again (a road fixed three
times). Cells of r·√2/3, so that a cell with its eight neighbours lies within r of the middle cell's centre; one
grouped query counts cases per (category, cell), the fullest blocks are taken greedily, then one query lists the
cases of the groups shown.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat

import numpy as np
from django.db.models import Count

from gridgov.cases.choices import CaseStatus
from gridgov.cases.models import Category
from gridgov.command.periods import Period
from gridgov.command.selectors.analysis import (
    KEY_BASE,
    CellGrid,
    analysis_cases,
    fetch_floats,
    in_period,
    reference_latitude,
    sorted_unique,
)
from gridgov.command.selectors.hotspots import CaseRow
from gridgov.geo.geometry import distance_m
from gridgov.geo.models import Area

DEFAULT_RECURRENCE_RADIUS_M = 50
DEFAULT_RECURRENCE_MIN_CASES = 3
DEFAULT_RECURRENCE_LIMIT = 50


@dataclass
class RecurrenceGroup:
    """Cases of one category at one place: all within ``radius_m`` of the centre of the seed cell."""

    rank: int
    category_code: str
    category_label: str
    lat: float
    lon: float
    radius_m: float
    cells: list[int]
    cases: list[CaseRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def first_at(self) -> datetime | None:
        return min((c.reported_at for c in self.cases), default=None)

    @property
    def last_at(self) -> datetime | None:
        return max((c.reported_at for c in self.cases), default=None)

    @property
    def grid_names(self) -> list[str]:
        return sorted({c.grid_name for c in self.cases if c.grid_name})

    @property
    def spread_m(self) -> float:
        """The largest distance of a case from the group's centre (rounded up to the metre)."""
        return math.ceil(max((distance_m(self.lat, self.lon, c.lat, c.lon) for c in self.cases), default=0.0))


@dataclass
class Recurrence:
    """The groups found (best first, at most ``limit``) and how many there were in all."""

    groups: list[RecurrenceGroup]
    found: int
    radius_m: float
    min_cases: int


def recurrence_grid(area: Area, radius_m: float) -> CellGrid:
    """Cells of side r·√2/3: a cell and its eight neighbours make a square of side r·√2 around the centre of the
    middle cell, so every point of the block lies within r of that centre."""
    return CellGrid.around(radius_m * math.sqrt(2) / 3, reference_latitude(area))


def recurrences(
    area: Area,
    period: Period,
    *,
    category: Category | None = None,
    channel: str | None = None,
    radius_m: float = DEFAULT_RECURRENCE_RADIUS_M,
    min_cases: int = DEFAULT_RECURRENCE_MIN_CASES,
    limit: int | None = DEFAULT_RECURRENCE_LIMIT,
) -> Recurrence:
    """Places where one category came back again and again (a road repaired three times): groups of at least
    ``min_cases`` non-duplicate cases of one category, all within about ``radius_m`` of one point, in the period.

    One grouped query counts cases per (category, cell); blocks of 3 × 3 cells are taken greedily, the fullest
    first, each cell in at most one group; a second query fetches the cases of the groups listed."""
    min_cases = max(int(min_cases), 2)
    grid = recurrence_grid(area, radius_m)
    cases = in_period(analysis_cases(area, category=category, channel=channel), period).filter(
        category__isnull=False, lat__isnull=False, lon__isnull=False
    )
    counts = fetch_floats(
        cases.annotate(cell=grid.key()).order_by().values_list("category_id", "cell").annotate(n=Count("pk")),
        ["category_id", "cell", "n"],
    ).astype(np.int64)
    chosen = _greedy_blocks(counts[:, 0], counts[:, 1], counts[:, 2], min_cases)
    found = len(chosen)
    chosen.sort(key=lambda g: (-g[2], g[0], g[1]))
    if limit is not None:
        chosen = chosen[:limit]
    if not chosen:
        return Recurrence(groups=[], found=found, radius_m=radius_m, min_cases=min_cases)

    labels = {c.pk: (c.code, c.display_name) for c in Category.objects.filter(pk__in={g[0] for g in chosen})}
    groups: list[RecurrenceGroup] = []
    owner: dict[tuple[int, int], RecurrenceGroup] = {}
    for rank, (cat, seed, _total, cells) in enumerate(chosen, start=1):
        lat, lon = grid.centre(seed)
        code, label = labels[cat]
        group = RecurrenceGroup(
            rank=rank,
            category_code=code,
            category_label=label,
            lat=lat,
            lon=lon,
            radius_m=float(radius_m),
            cells=sorted(cells),
        )
        groups.append(group)
        for cell in cells:
            owner[(cat, cell)] = group

    members = (
        cases.filter(category_id__in={g[0] for g in chosen})
        .annotate(cell=grid.key())
        .filter(cell__in=sorted({cell for _c, _s, _t, cells in chosen for cell in cells}))
        .order_by("reported_at", "id")
        .values_list(
            "category_id", "cell", "number", "title", "reported_at", "status", "grid__name", "lat", "lon"
        )
    )
    status_labels = dict(CaseStatus.choices)
    for cat, cell, number, title, reported_at, status, grid_name, case_lat, case_lon in members:
        target = owner.get((cat, cell))
        if target is not None:
            target.cases.append(
                CaseRow(
                    number=number,
                    title=title,
                    reported_at=reported_at,
                    status=status,
                    status_label=str(status_labels.get(status, status)),
                    category_label=target.category_label,
                    grid_name=grid_name or "",
                    lat=case_lat or 0.0,  # never None: the query keeps located cases only
                    lon=case_lon or 0.0,
                )
            )
    return Recurrence(groups=groups, found=found, radius_m=radius_m, min_cases=min_cases)


def _greedy_blocks(
    categories: np.ndarray, cells: np.ndarray, counts: np.ndarray, min_cases: int
) -> list[tuple[int, int, int, list[int]]]:
    """(category, seed cell, cases, cells) of every block taken: repeatedly the block (a seed cell and its
    neighbours, those not taken yet) holding the most cases, while it holds at least ``min_cases``; among equal
    blocks, the one whose seed holds the most cases itself, then the smallest category id and cell key.

    The blocks that can qualify at all are found with array operations, per category; only those enter a lazy
    heap (a block popped with a stale total is pushed back with its current one)."""
    offsets = np.array([dr * KEY_BASE + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)], dtype=np.int64)
    free: dict[tuple[int, int], int] = {}
    heap: list[tuple[int, int, int, int]] = []
    for cat in np.unique(categories).tolist():
        mine = categories == cat
        order = np.argsort(cells[mine])
        keys, numbers = cells[mine][order], counts[mine][order]
        # A seed may be empty itself (two cases two cells apart meet in the block of the cell between them).
        seeds = sorted_unique((keys[:, None] + offsets[None, :]).ravel())
        totals = np.zeros(seeds.size, dtype=np.int64)
        own = np.zeros(seeds.size, dtype=np.int64)
        for offset in offsets.tolist():
            position = np.minimum(np.searchsorted(keys, seeds + offset), keys.size - 1)
            found = np.where(keys[position] == seeds + offset, numbers[position], 0)
            totals += found
            if offset == 0:
                own = found
        good = totals >= min_cases
        if not good.any():
            continue
        heap.extend(zip((-totals[good]).tolist(), (-own[good]).tolist(), repeat(cat), seeds[good].tolist()))
        involved = sorted_unique((seeds[good][:, None] + offsets[None, :]).ravel())
        position = np.minimum(np.searchsorted(keys, involved), keys.size - 1)
        hit = keys[position] == involved
        free.update(
            zip(zip(repeat(cat), involved[hit].tolist()), numbers[position[hit]].tolist(), strict=False)
        )
    heapq.heapify(heap)

    def free_block(cat: int, seed: int) -> tuple[int, list[int]]:
        block = [cell for cell in (seed + offsets).tolist() if (cat, cell) in free]
        return sum(free[(cat, cell)] for cell in block), block

    chosen: list[tuple[int, int, int, list[int]]] = []
    while heap:
        negative, seed_own, cat, seed = heapq.heappop(heap)
        total, block = free_block(cat, seed)
        if total < min_cases:
            continue
        if total != -negative:
            heapq.heappush(heap, (-total, seed_own, cat, seed))
            continue
        for cell in block:
            del free[(cat, cell)]
        chosen.append((cat, seed, total, block))
    return chosen
