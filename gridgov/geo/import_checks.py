"""The checks of an area import: everything ``actions.import_areas`` verifies before it writes anything.

A file is checked feature by feature (properties, code format, level, geometry), then as a tree (parents exist
and have the right level, relevelled areas still fit their children), then geometrically (children inside their
parents, siblings not overlapping, existing areas that the file keeps taking part). Every problem is collected
with its line and code, so that one run lists everything to fix.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import shapely
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from gridgov.geo.choices import CODE_LENGTH, LEVEL_DEPTH, PARENT_LEVEL, AreaLevel
from gridgov.geo.exceptions import AreaImportError, ImportProblem
from gridgov.geo.geojson_io import GeoJSONSyntaxError, SourceFeature, read_features
from gridgov.geo.geometry import GeometryError, area_m2, areas_m2, load_boundary, parse_geometry
from gridgov.geo.models import Area

NAME_MAX_LENGTH = Area._meta.get_field("name").max_length or 64
_DIGITS = re.compile(r"[0-9]+")


@dataclass
class AreaRow:
    """A feature that passed the per-feature checks far enough to take part in the cross-checks."""

    line: int
    code: str
    name: str
    level: str
    parent_code: str | None
    aliases: list[str]
    geom: BaseGeometry | None
    geometry_failed: bool = False


class _Problems:
    def __init__(self) -> None:
        self.items: list[ImportProblem] = []

    def add(self, line: int, code: str, message: str | Promise) -> None:
        self.items.append(ImportProblem(line=line, code=code, message=str(message)))


def _chunks(codes: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """Codes in slices, so that ``__in`` lookups stay under SQLite's limit on query parameters."""
    ordered = sorted(codes)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _level_label(level: str) -> str:
    return str(AreaLevel(level).label) if level in AreaLevel.values else level


def _clean_code(value: Any) -> str | None:
    """Codes may come as strings or (from spreadsheets) integers; anything else is not a code."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def clean_aliases(value: Any) -> list[str] | None:
    """Aliases as a list of distinct non-empty strings, or None when ``value`` is not a list of strings."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    result: list[str] = []
    for item in value:
        alias = item.strip()
        if alias and alias not in result:
            result.append(alias)
    return result


# --- Per-feature checks ----------------------------------------------------------------------------------------


def _read_feature(feature: SourceFeature, problems: _Problems) -> AreaRow | None:
    line, data = feature.line, feature.data
    if not isinstance(data, dict) or data.get("type") != "Feature":
        problems.add(line, "", _('Not a GeoJSON Feature (an object with "type": "Feature").'))
        return None
    properties = data.get("properties")
    if not isinstance(properties, dict):
        problems.add(line, "", _('The feature has no "properties" object.'))
        return None

    usable = True
    code = _clean_code(properties.get("code"))
    if not code:
        problems.add(line, "", _('The "code" property is missing or empty.'))
        return None
    if not _DIGITS.fullmatch(code):
        problems.add(line, code, _("The code must contain digits only."))
        usable = False

    level = properties.get("level")
    if level not in AreaLevel.values:
        problems.add(
            line,
            code,
            _("Unknown level %(level)s; use one of: %(levels)s.")
            % {"level": repr(level), "levels": ", ".join(AreaLevel.values)},
        )
        return None
    level = str(level)
    if usable and len(code) != CODE_LENGTH[level]:
        problems.add(
            line,
            code,
            _("A %(level)s code has %(length)d digits, this one has %(actual)d.")
            % {"level": _level_label(level), "length": CODE_LENGTH[level], "actual": len(code)},
        )

    name = properties.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(line, code, _('The "name" property is missing or empty.'))
        name = ""
    elif len(name.strip()) > NAME_MAX_LENGTH:
        problems.add(line, code, _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    name = name.strip()

    raw_parent = properties.get("parent_code")
    parent_code = None if raw_parent in (None, "") else _clean_code(raw_parent)
    if raw_parent not in (None, "") and not parent_code:
        problems.add(line, code, _('The "parent_code" property must be a code.'))
        usable = False
    elif PARENT_LEVEL[level] is None and parent_code is not None:
        problems.add(line, code, _("A %(level)s has no parent area.") % {"level": _level_label(level)})
        usable = False
    elif PARENT_LEVEL[level] is not None and parent_code is None:
        problems.add(
            line,
            code,
            _('A %(level)s needs a "parent_code" (its %(parent)s).')
            % {"level": _level_label(level), "parent": _level_label(PARENT_LEVEL[level] or "")},
        )
        usable = False
    elif (
        parent_code is not None
        and LEVEL_DEPTH[level] > LEVEL_DEPTH[AreaLevel.DISTRICT]
        and _DIGITS.fullmatch(code)
        and not code.startswith(parent_code)
    ):
        # Below the district, codes nest: a town's code starts with its district's, a grid's with its village's.
        problems.add(
            line,
            code,
            _("The code must start with its parent's code %(parent)s.") % {"parent": parent_code},
        )

    aliases = clean_aliases(properties.get("aliases"))
    if aliases is None:
        problems.add(line, code, _('"aliases" must be a list of names.'))
        aliases = []

    geom: BaseGeometry | None = None
    geometry_failed = False
    geometry = data.get("geometry")
    if geometry is None:
        if level == AreaLevel.GRID:
            problems.add(line, code, _("A grid needs a boundary (a Polygon or MultiPolygon geometry)."))
    else:
        try:
            geom = parse_geometry(geometry)
        except GeometryError as exc:
            problems.add(line, code, exc.message)
            geometry_failed = True

    if not usable:
        return None
    return AreaRow(line, code, name, level, parent_code, aliases, geom, geometry_failed)


# --- Cross-checks ----------------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """Validated rows plus the database rows they refer to: everything the write needs."""

    rows: list[AreaRow]
    existing: dict[str, Area]


def _check_tree(rows: dict[str, AreaRow], existing: dict[str, Area], problems: _Problems) -> None:
    for row in rows.values():
        if row.parent_code is None:
            continue
        parent_row = rows.get(row.parent_code)
        parent_area = existing.get(row.parent_code)
        if parent_row is not None:
            parent_level = parent_row.level
        elif parent_area is not None:
            parent_level = parent_area.level
        else:
            problems.add(
                row.line,
                row.code,
                _("Unknown parent %(parent)s: it is neither in this file nor in the database.")
                % {"parent": row.parent_code},
            )
            continue
        expected = PARENT_LEVEL[row.level]
        if parent_level != expected:
            problems.add(
                row.line,
                row.code,
                _(
                    "The parent %(parent)s is a %(parent_level)s, but a %(level)s must be under a %(expected)s."
                )
                % {
                    "parent": row.parent_code,
                    "parent_level": _level_label(parent_level),
                    "level": _level_label(row.level),
                    "expected": _level_label(expected or ""),
                },
            )

    # An existing area that changes level must still fit the children the file leaves in place.
    relevelled = {
        code for code, row in rows.items() if code in existing and existing[code].level != row.level
    }
    if relevelled:
        kept_children = [
            child
            for chunk in _chunks(relevelled)
            for child in Area.objects.filter(parent__code__in=chunk).values_list(
                "code", "level", "parent__code"
            )
        ]
        for child_code, child_level, parent_code in kept_children:
            row = rows[parent_code]
            if child_code not in rows and PARENT_LEVEL[child_level] != row.level:
                problems.add(
                    row.line,
                    row.code,
                    _("Cannot make this area a %(level)s: its existing child %(child)s is a %(child_level)s.")
                    % {
                        "level": _level_label(row.level),
                        "child": child_code,
                        "child_level": _level_label(child_level),
                    },
                )


def _check_geometry(
    rows: dict[str, AreaRow], existing: dict[str, Area], problems: _Problems, tolerance: float
) -> None:
    """Children inside their parents, siblings not overlapping; existing areas the file keeps take part."""
    boundaries: dict[str, BaseGeometry | None] = {}

    def boundary_of(code: str) -> BaseGeometry | None:
        if code in rows:
            return rows[code].geom
        if code not in boundaries:
            area = existing.get(code)
            boundaries[code] = load_boundary(area.boundary) if area is not None and area.boundary else None
        return boundaries[code]

    own_geoms: dict[str, BaseGeometry] = {
        code: row.geom for code, row in rows.items() if row.geom is not None
    }
    with_geom = [rows[code] for code in own_geoms]
    if not with_geom:
        return

    # Existing children of the parents and areas named in the file, except those the file redefines.
    parent_codes = {row.parent_code for row in with_geom if row.parent_code is not None}
    own_codes = set(own_geoms)
    kept: list[tuple[str, str | None, BaseGeometry]] = []
    for chunk in _chunks(parent_codes | own_codes):
        kept += [
            (code, parent_code, load_boundary(boundary))
            for code, parent_code, boundary in Area.objects.filter(
                parent__code__in=chunk, is_active=True, boundary__isnull=False
            ).values_list("code", "parent__code", "boundary")
            if boundary and code not in rows
        ]
    if any(row.parent_code is None for row in with_geom):
        kept += [
            (code, None, load_boundary(boundary))
            for code, boundary in Area.objects.filter(
                parent__isnull=True, is_active=True, boundary__isnull=False
            ).values_list("code", "boundary")
            if boundary and code not in rows
        ]

    # 1. Each child inside its parent.
    for row in with_geom:
        parent = boundary_of(row.parent_code) if row.parent_code else None
        if parent is None:
            continue
        outside = _outside_m2(own_geoms[row.code], parent)
        if outside > tolerance:
            problems.add(
                row.line,
                row.code,
                _("The boundary lies %(area)s m² outside its parent %(parent)s.")
                % {"area": _format_m2(outside), "parent": row.parent_code},
            )
    for code, parent_code, geom in kept:
        if parent_code in own_codes:
            parent_row = rows[parent_code]
            outside = _outside_m2(geom, own_geoms[parent_code])
            if outside > tolerance:
                problems.add(
                    parent_row.line,
                    parent_row.code,
                    _("The existing child %(child)s would lie %(area)s m² outside this boundary.")
                    % {"child": code, "area": _format_m2(outside)},
                )

    # 2. Siblings must not overlap: pairs with at least one member from the file.
    groups: dict[str | None, list[tuple[str, BaseGeometry, AreaRow | None]]] = defaultdict(list)
    for row in with_geom:
        groups[row.parent_code].append((row.code, own_geoms[row.code], row))
    for code, parent_code, geom in kept:
        if parent_code in groups:
            groups[parent_code].append((code, geom, None))
    for members in groups.values():
        _check_siblings(members, problems, tolerance)


def _check_siblings(
    members: list[tuple[str, BaseGeometry, AreaRow | None]], problems: _Problems, tolerance: float
) -> None:
    if len(members) < 2:
        return
    geoms = np.array([geom for _code, geom, _row in members], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    from_file = np.array([row is not None for _code, _geom, row in members], dtype=bool)
    keep = from_file[left] | from_file[right]
    left, right = left[keep], right[keep]
    if not left.size:
        return
    # Neighbours share borders; only pairs whose interiors meet can overlap by an area.
    interiors_meet = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    left, right = left[interiors_meet], right[interiors_meet]
    if not left.size:
        return
    overlaps = areas_m2(shapely.intersection(geoms[left], geoms[right]))
    for a, b, overlap in zip(left.tolist(), right.tolist(), overlaps.tolist(), strict=True):
        if overlap <= tolerance:
            continue
        code_a, _geom_a, row_a = members[a]
        code_b, _geom_b, row_b = members[b]
        # Report once, on the later feature of the file, naming the other one.
        if row_a is not None and (row_b is None or row_a.line > row_b.line):
            row, other, other_row = row_a, code_b, row_b
        elif row_b is not None:
            row, other, other_row = row_b, code_a, row_a
        else:  # two existing areas: not this file's business
            continue
        if other_row is not None:
            message = _("The boundary overlaps its sibling %(other)s (line %(line)s) by %(area)s m².") % {
                "other": other,
                "line": other_row.line,
                "area": _format_m2(overlap),
            }
        else:
            message = _("The boundary overlaps the existing area %(other)s by %(area)s m².") % {
                "other": other,
                "area": _format_m2(overlap),
            }
        problems.add(row.line, row.code, message)


def _outside_m2(child: BaseGeometry, parent: BaseGeometry) -> float:
    shapely.prepare(parent)
    if parent.covers(child):
        return 0.0
    return area_m2(child.difference(parent))


def _format_m2(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2f}"


def validate_areas(text: str) -> ImportPlan:
    """Check a file completely; return the plan to write or raise ``AreaImportError`` with every problem."""
    problems = _Problems()
    try:
        features = read_features(text)
    except GeoJSONSyntaxError as exc:
        message = _("%(error)s (column %(column)s)") % {"error": exc.message, "column": exc.column}
        raise AreaImportError([ImportProblem(line=exc.line, code="", message=message)]) from exc

    rows: dict[str, AreaRow] = {}
    first_line: dict[str, int] = {}
    for feature in features:
        row = _read_feature(feature, problems)
        if row is None:
            continue
        if row.code in rows:
            problems.add(
                row.line,
                row.code,
                _("The code appears more than once in the file (first on line %(line)s).")
                % {"line": first_line[row.code]},
            )
            continue
        rows[row.code] = row
        first_line[row.code] = row.line

    referenced = set(rows) | {row.parent_code for row in rows.values() if row.parent_code}
    existing = {
        area.code: area for chunk in _chunks(referenced) for area in Area.objects.filter(code__in=chunk)
    }
    _check_tree(rows, existing, problems)
    tolerance = cast(float, settings.GRIDGOV["GEO_AREA_TOLERANCE_M2"])
    _check_geometry(rows, existing, problems, tolerance)
    if problems.items:
        raise AreaImportError(problems.items)
    if not features:
        raise AreaImportError([ImportProblem(line=1, code="", message=_("The file contains no features."))])
    return ImportPlan(rows=list(rows.values()), existing=existing)
