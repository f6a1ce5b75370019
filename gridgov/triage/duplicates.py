"""Was this already reported? The same problem, at the same place, within a time window.

A report is a duplicate of an earlier one (an earlier line of the same file, or an open case) when all hold:

* the place: both have coordinates within ``radius_m`` metres, or (when one has no coordinates) the same grid;
* the time: the earlier one came in at most ``window`` before;
* the category: the same (predicted, or confirmed for a case);
* the words: the cosine similarity of their TF-IDF vectors (jieba words and character bigrams) is at least
  ``min_similarity``; closer places need a little less (``proximity_bonus`` at distance 0, none at the radius),
  but never less than half of it.

The thresholds (0.10 and a bonus of 0.10) were chosen on the even half of the held-out set's duplicate groups and
are reported on the other half and on the whole set (docs/performance.md).

Among the candidates that pass, the most similar wins. ``DuplicateIndex`` keeps candidates in memory in square
buckets about ``radius_m`` wide and by grid, so a check looks at a handful of candidates however many are open.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scipy.sparse import csr_matrix

from gridgov.geo.geometry import METRES_PER_DEGREE, distance_m


@dataclass(frozen=True)
class DuplicateRules:
    radius_m: float = 300.0
    window: timedelta = timedelta(days=7)
    min_similarity: float = 0.10
    proximity_bonus: float = 0.10


@dataclass
class Candidate:
    ref: str
    category: str | None
    at: datetime | None
    lat: float | None = None
    lon: float | None = None
    grid: str | None = None
    vector: dict[int, float] = field(default_factory=dict)


def sparse_row(matrix: csr_matrix, row: int) -> dict[int, float]:
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return dict(zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(), strict=True))


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    """Dot product of two L2-normalised sparse vectors (TF-IDF rows are normalised)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(key, 0.0) for key, value in a.items())


@dataclass(frozen=True)
class DuplicateMatch:
    ref: str
    similarity: float
    distance_m: float | None


def best_match(
    report: Candidate, candidates: Iterable[Candidate], rules: DuplicateRules
) -> DuplicateMatch | None:
    """The earlier candidate that ``report`` most likely repeats, or None."""
    best: DuplicateMatch | None = None
    best_score = 0.0
    for other in candidates:
        if other.ref == report.ref or other.category != report.category:
            continue
        if (
            report.at is not None
            and other.at is not None
            and (other.at > report.at or report.at - other.at > rules.window)
        ):
            continue
        dist: float | None = None
        if None not in (report.lat, report.lon, other.lat, other.lon):
            dist = distance_m(report.lat, report.lon, other.lat, other.lon)  # type: ignore[arg-type]
            if dist > rules.radius_m:
                continue
            bonus = rules.proximity_bonus * (1.0 - dist / rules.radius_m)
        elif report.grid is not None and report.grid == other.grid:
            bonus = 0.0
        else:
            continue
        similarity = cosine(report.vector, other.vector)
        score = similarity + bonus
        # Closeness helps, but some words must be shared: half the threshold without the bonus.
        if similarity >= rules.min_similarity / 2 and score >= rules.min_similarity and score > best_score:
            best_score = score
            best = DuplicateMatch(other.ref, round(similarity, 4), None if dist is None else round(dist, 1))
    return best


class DuplicateIndex:
    """Earlier reports and open cases, bucketed by place for ``best_match``."""

    def __init__(self, rules: DuplicateRules | None = None) -> None:
        self.rules = rules or DuplicateRules()
        self._cell_deg = self.rules.radius_m / METRES_PER_DEGREE
        self._cells: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
        self._grids: dict[str, list[Candidate]] = defaultdict(list)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        # Longitude cells are widened by 1/cos(lat) so that a cell is about radius_m wide both ways.
        return (
            math.floor(lat / self._cell_deg),
            math.floor(lon * math.cos(math.radians(lat)) / self._cell_deg),
        )

    def add(self, candidate: Candidate) -> None:
        if candidate.lat is not None and candidate.lon is not None:
            self._cells[self._cell(candidate.lat, candidate.lon)].append(candidate)
        if candidate.grid is not None:
            self._grids[candidate.grid].append(candidate)
        self._size += 1

    def nearby(self, report: Candidate) -> list[Candidate]:
        seen: dict[int, Candidate] = {}
        if report.lat is not None and report.lon is not None:
            row, col = self._cell(report.lat, report.lon)
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    for candidate in self._cells.get((row + dr, col + dc), ()):
                        seen[id(candidate)] = candidate
        if report.grid is not None:
            for candidate in self._grids.get(report.grid, ()):
                # With coordinates on both sides the distance decides, not the grid.
                if report.lat is None or candidate.lat is None:
                    seen[id(candidate)] = candidate
        return list(seen.values())

    def find(self, report: Candidate) -> DuplicateMatch | None:
        return best_match(report, self.nearby(report), self.rules)
