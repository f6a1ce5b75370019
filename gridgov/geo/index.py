"""Which grid is this point in? An in-memory index over all grid boundaries.

Every reported case needs its grid, and imports, the hotline and the map ask the same question in bulk, so the
lookup must be fast (tens of thousands per second on one core) and must give one answer for a point on a shared
border. ``GridIndex`` is a bucket grid over the region:

* the bounding box of all grids is cut into small square cells (about 64 per grid on average);
* a cell lying properly inside one grid and touching no other is *solid*: its points are answered with one
  list access, no geometry test at all (most points fall in solid cells);
* a cell touching no grid is *empty*: the answer is None;
* the other (*mixed*) cells keep the grids that touch them, sorted by code, and the point is tested against
  those prepared geometries with ``shapely.intersects_xy``.

Border rule: a point belongs to the grid with the smallest code among those that *cover* it (interior or
boundary), so a point on a shared border or a shared vertex goes to exactly one grid, always the same one.
Cells are classified with boxes grown by a hair (a millionth of a cell) so that rounding in the cell arithmetic
cannot put a point in a cell whose classification does not hold for it.

The process keeps one index in memory with the version stamp it was built for. The stamp lives in the database
(``core.stamps``), so every server process and every command sees it; ``invalidate_grid_index`` (called after an
area import commits) changes it, and each process re-reads it at most once per second, rebuilding when it changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gridgov.core.stamps import Stamped
from gridgov.geo.choices import AreaLevel
from gridgov.geo.geometry import load_boundary

#: Average number of cells per grid; more cells means fewer mixed cells (faster lookups) but a slower build.
CELLS_PER_GRID = 64
MAX_CELLS = 4_000_000
#: The stamp of the areas: changed when an import or an edit of areas commits.
AREAS_STAMP = "gridgov:geo:grid-index-version"
#: How often (seconds) a process re-reads the version stamp.
RECHECK_SECONDS = 1.0


_EMPTY = -1
_MIXED = -2

#: ``shapely.intersects_xy`` prepares its geometry on every call, which costs more than the test itself for one
#: point; the geometries here are prepared once when the index is built, so the scalar path calls the ufunc
#: underneath directly (falling back to the public function should a shapely release move it).
_intersects_xy = getattr(shapely.lib, "intersects_xy", shapely.intersects_xy)


class GridIndex:
    """Point-in-grid lookups over a fixed set of grid geometries (WGS-84, lon/lat)."""

    def __init__(self, codes: Sequence[str], geometries: Sequence[BaseGeometry]) -> None:
        if len(codes) != len(geometries):
            raise ValueError("codes and geometries must have the same length")
        if len(set(codes)) != len(codes):
            raise ValueError("grid codes must be unique")
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes: list[str] = [codes[i] for i in order]
        self._geoms = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self._geoms)
        self._geom_list: list[BaseGeometry] = list(self._geoms)
        self._codes_or_none = np.array([*self.codes, None], dtype=object)
        self._build_cells()

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_features(cls, features: Iterable[tuple[str, dict[str, Any]]]) -> GridIndex:
        """Index from ``(code, GeoJSON geometry)`` pairs, e.g. ``values_list("code", "boundary")``."""
        codes: list[str] = []
        geoms: list[BaseGeometry] = []
        for code, boundary in features:
            codes.append(code)
            geoms.append(load_boundary(boundary))
        return cls(codes, geoms)

    @classmethod
    def from_database(cls) -> GridIndex:
        """Index over all active grids that have a boundary."""
        from gridgov.geo.models import Area

        rows = (
            Area.objects.filter(level=AreaLevel.GRID, is_active=True, boundary__isnull=False)
            .order_by("code")
            .values_list("code", "boundary")
        )
        return cls.from_features((code, boundary) for code, boundary in rows if boundary)

    # --- Building -----------------------------------------------------------------------------------------------

    def _build_cells(self) -> None:
        count = len(self.codes)
        self._nx = self._ny = 1
        self._x0 = self._y0 = 0.0
        self._x1 = self._y1 = -1.0  # an empty extent: every point is outside
        self._inv_dx = self._inv_dy = 0.0
        self._cells: list[Any] = [None]
        self._cell_kind = np.full(1, _EMPTY, dtype=np.int64)
        self._cand_ptr = np.zeros(2, dtype=np.int64)
        self._cand_idx = np.zeros(0, dtype=np.int64)
        if count == 0:
            return

        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(self._geoms))
        width, height = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
        covered_area = float(shapely.area(self._geoms).sum()) or width * height
        side = math.sqrt(covered_area / (CELLS_PER_GRID * count))
        if (width / side) * (height / side) > MAX_CELLS:
            side = math.sqrt(width * height / MAX_CELLS)
        nx = max(1, math.ceil(width / side))
        ny = max(1, math.ceil(height / side))
        dx, dy = width / nx, height / ny
        self._x0, self._y0, self._x1, self._y1 = x0, y0, x0 + width, y0 + height
        self._nx, self._ny = nx, ny
        self._inv_dx, self._inv_dy = 1.0 / dx, 1.0 / dy

        # Boxes only for the cells under some grid's bounding box (a sparse region has mostly empty space), each
        # grown by a hair (see the module docstring).
        ncells = nx * ny
        bounds = shapely.bounds(self._geoms)
        col_lo = np.clip(((bounds[:, 0] - x0) / dx).astype(np.int64), 0, nx - 1)
        col_hi = np.clip(((bounds[:, 2] - x0) / dx).astype(np.int64), 0, nx - 1)
        row_lo = np.clip(((bounds[:, 1] - y0) / dy).astype(np.int64), 0, ny - 1)
        row_hi = np.clip(((bounds[:, 3] - y0) / dy).astype(np.int64), 0, ny - 1)
        touched = np.zeros(ncells, dtype=bool)
        for c_lo, c_hi, r_lo, r_hi in zip(
            col_lo.tolist(), col_hi.tolist(), row_lo.tolist(), row_hi.tolist(), strict=True
        ):
            touched.reshape(ny, nx)[r_lo : r_hi + 1, c_lo : c_hi + 1] = True
        cells_used = np.flatnonzero(touched)
        cols, rows = cells_used % nx, cells_used // nx
        eps_x, eps_y = dx * 1e-6, dy * 1e-6
        boxes = shapely.box(
            x0 + cols * dx - eps_x,
            y0 + rows * dy - eps_y,
            x0 + (cols + 1) * dx + eps_x,
            y0 + (rows + 1) * dy + eps_y,
        )
        tree = shapely.STRtree(self._geoms)
        box_ids, geom_ids = tree.query(boxes, predicate="intersects")
        cell_ids = cells_used[box_ids]
        order = np.lexsort((geom_ids, cell_ids))
        cell_ids, geom_ids, box_ids = cell_ids[order], geom_ids[order], box_ids[order]
        counts = np.bincount(cell_ids, minlength=ncells)
        ptr = np.zeros(ncells + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])

        kind = np.full(ncells, _MIXED, dtype=np.int64)
        kind[counts == 0] = _EMPTY
        single = np.flatnonzero(counts == 1)
        if single.size:
            first = ptr[single]
            only = geom_ids[first]
            proper = shapely.contains_properly(self._geoms[only], boxes[box_ids[first]])
            kind[single[proper]] = only[proper]

        self._cell_kind = kind
        self._cand_ptr = ptr
        self._cand_idx = geom_ids.astype(np.int64)

        # A mixed cell whose box is covered by the union of all grids is covered by its candidates, so a point
        # in it that none of the first candidates covers is in the last one: the scalar path skips that test.
        mixed_cells = np.flatnonzero(kind == _MIXED)
        covered = np.zeros(ncells, dtype=bool)
        if mixed_cells.size:
            box_of_cell = np.full(ncells, -1, dtype=np.int64)
            box_of_cell[cells_used] = np.arange(cells_used.size)
            union = shapely.union_all(self._geoms)
            shapely.prepare(union)
            covered[mixed_cells] = shapely.covers(union, boxes[box_of_cell[mixed_cells]])

        # The scalar path reads a plain list: an int (solid), None (empty) or, for a mixed cell, a pair
        # (candidates to test, the candidate to return when none of them covers the point, or None).
        # Shared int and tuple objects keep it small.
        ints = list(range(count))
        shared: dict[tuple[tuple[int, ...], int | None], tuple[tuple[int, ...], int | None]] = {}
        cells: list[Any] = []
        ptr_list = ptr.tolist()
        cand_list = self._cand_idx.tolist()
        covered_list = covered.tolist()
        for cell, value in enumerate(kind.tolist()):
            if value >= 0:
                cells.append(ints[value])
            elif value == _EMPTY:
                cells.append(None)
            else:
                candidates = tuple(cand_list[ptr_list[cell] : ptr_list[cell + 1]])
                entry = (candidates[:-1], candidates[-1]) if covered_list[cell] else (candidates, None)
                cells.append(shared.setdefault(entry, entry))
        self._cells = cells

    def stats(self) -> dict[str, Any]:
        """Cell counts, for the benchmark and for tuning."""
        kind = self._cell_kind
        return {
            "grids": len(self.codes),
            "cells": int(kind.size),
            "solid": int((kind >= 0).sum()),
            "empty": int((kind == _EMPTY).sum()),
            "mixed": int((kind == _MIXED).sum()),
        }

    # --- Lookups ------------------------------------------------------------------------------------------------

    def lookup(self, lat: float, lon: float) -> str | None:
        """Code of the grid covering the WGS-84 point, or None when it lies outside every grid."""
        # Written for speed: this runs for every point of every bulk import.
        if not (self._x0 <= lon <= self._x1 and self._y0 <= lat <= self._y1):
            return None  # also catches NaN
        col = int((lon - self._x0) * self._inv_dx)
        row = int((lat - self._y0) * self._inv_dy)
        if col >= self._nx:
            col = self._nx - 1
        if row >= self._ny:
            row = self._ny - 1
        entry = self._cells[row * self._nx + col]
        if entry is None:
            return None
        if type(entry) is int:
            return self.codes[entry]
        geoms = self._geom_list
        candidates, fallback = entry
        for index in candidates:
            if _intersects_xy(geoms[index], lon, lat):
                return self.codes[index]
        return None if fallback is None else self.codes[fallback]

    def lookup_many(
        self, lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray
    ) -> list[str | None]:
        """``lookup`` for many points at once (vectorised: one shapely call for all points in mixed cells)."""
        y = np.asarray(lats, dtype=np.float64).reshape(-1)
        x = np.asarray(lons, dtype=np.float64).reshape(-1)
        if x.shape != y.shape:
            raise ValueError("lats and lons must have the same length")
        n = x.size
        result = np.full(n, -1, dtype=np.int64)
        inside = np.flatnonzero((x >= self._x0) & (x <= self._x1) & (y >= self._y0) & (y <= self._y1))
        if inside.size:
            col = np.minimum(((x[inside] - self._x0) * self._inv_dx).astype(np.int64), self._nx - 1)
            row = np.minimum(((y[inside] - self._y0) * self._inv_dy).astype(np.int64), self._ny - 1)
            cell = row * self._nx + col
            kind = self._cell_kind[cell]
            solid = kind >= 0
            result[inside[solid]] = kind[solid]

            mixed = kind == _MIXED
            points = inside[mixed]
            if points.size:
                starts = self._cand_ptr[cell[mixed]]
                counts = self._cand_ptr[cell[mixed] + 1] - starts
                pair_point = np.repeat(points, counts)
                first_of_pair = np.repeat(np.cumsum(counts) - counts, counts)
                offsets = np.arange(pair_point.size) - first_of_pair
                pair_geom = self._cand_idx[np.repeat(starts, counts) + offsets]
                hit = shapely.intersects_xy(self._geoms[pair_geom], x[pair_point], y[pair_point])
                best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
                np.minimum.at(best, pair_point[hit], pair_geom[hit])
                found = points[best[points] != np.iinfo(np.int64).max]
                result[found] = best[found]
        codes: list[str | None] = self._codes_or_none[result].tolist()
        return codes


# --- The process-wide index -------------------------------------------------------------------------------------

_stamped: Stamped[GridIndex] = Stamped(
    AREAS_STAMP, lambda: GridIndex.from_database(), recheck_seconds=RECHECK_SECONDS
)


def get_grid_index() -> GridIndex:
    """The process's index, rebuilt when the version stamp changed (checked at most once a second).

    While one thread rebuilds, the others keep answering from the index they have. If the stamp cannot be
    reached, the current index keeps serving (stale boundaries are better than no grid at all).
    """
    return _stamped.get()


def current_index_version() -> str:
    """The version stamp of the areas as this process last read it (re-read at most once a second).

    Other per-process structures built from the areas (the triage gazetteer) rebuild when it changes.
    """
    return _stamped.version


def invalidate_grid_index() -> None:
    """Make every process rebuild its index on its next lookup (this one immediately)."""
    _stamped.changed()


def forget_grid_index() -> None:
    """This process rebuilds its index on its next lookup, whatever the stamp says (tests that build areas
    directly and roll them back)."""
    _stamped.forget()
