"""Writes to the area tree: importing a GeoJSON file of areas, and editing an area's names.

Boundaries come from GIS files drawn by the towns; a wrong file would silently send cases to the wrong grid, so
``import_areas`` checks the whole file against the rules of the tree (codes, parents, levels, boundaries that
nest and do not overlap; see ``import_checks``) and writes nothing unless every feature passes. Every problem is
reported at once with its line and code, so that the person fixing the file does not have to import it ten times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.core.audit import record
from gridgov.geo.choices import LEVEL_DEPTH
from gridgov.geo.exceptions import AreaImportError, ImportProblem
from gridgov.geo.geometry import bbox, centroid, to_geojson
from gridgov.geo.import_checks import NAME_MAX_LENGTH, AreaRow, ImportPlan, clean_aliases, validate_areas
from gridgov.geo.index import invalidate_grid_index
from gridgov.geo.models import Area

__all__ = [
    "AreaImportError",
    "ImportProblem",
    "ImportResult",
    "import_areas",
    "update_area",
    "validate_areas",
]

#: Codes listed in the audit row at most (the counts are always there).
_AUDIT_MAX_CODES = 1000


@dataclass(frozen=True)
class ImportResult:
    """What an import did, for the command's summary and the audit row (codes as well as counts)."""

    created: int
    updated: int
    unchanged: int
    source: str
    created_codes: list[str] = field(default_factory=list)
    updated_codes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- Writing ---------------------------------------------------------------------------------------------------

_WRITTEN_FIELDS = [
    "name",
    "level",
    "parent",
    "path",
    "aliases",
    "boundary",
    "centroid_lat",
    "centroid_lon",
    "min_lat",
    "min_lon",
    "max_lat",
    "max_lon",
]


def _values_for(row: AreaRow, parent: Area | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": row.name,
        "level": row.level,
        "parent": parent,
        "path": f"{parent.path if parent is not None else '/'}{row.code}/",
        "aliases": row.aliases,
        "boundary": None,
        "centroid_lat": None,
        "centroid_lon": None,
        "min_lat": None,
        "min_lon": None,
        "max_lat": None,
        "max_lon": None,
    }
    if row.geom is not None:
        box = bbox(row.geom)
        center = centroid(row.geom)
        values.update(
            boundary=to_geojson(row.geom),
            centroid_lat=center.lat,
            centroid_lon=center.lon,
            min_lat=box.min_lat,
            min_lon=box.min_lon,
            max_lat=box.max_lat,
            max_lon=box.max_lon,
        )
    return values


def _differs(area: Area, name: str, value: Any) -> bool:
    if name == "parent":
        return area.parent_id != (value.pk if value is not None else None)
    return bool(getattr(area, name) != value)


def _write(plan: ImportPlan) -> tuple[list[str], list[str], int]:
    """Upsert the rows parents first; returns (created codes, updated codes, unchanged count)."""
    now = timezone.now()
    saved: dict[str, Area] = {}
    created: list[str] = []
    updated: list[str] = []
    unchanged = 0
    by_depth: dict[int, list[AreaRow]] = defaultdict(list)
    for row in plan.rows:
        by_depth[LEVEL_DEPTH[row.level]].append(row)

    for depth in sorted(by_depth):
        to_create: list[Area] = []
        to_update: list[Area] = []
        moved: list[tuple[str, str]] = []
        for row in sorted(by_depth[depth], key=lambda item: item.line):
            parent = None
            if row.parent_code is not None:
                parent = saved.get(row.parent_code) or plan.existing[row.parent_code]
            values = _values_for(row, parent)
            area = plan.existing.get(row.code)
            if area is None:
                area = Area(code=row.code, **values)
                to_create.append(area)
                created.append(row.code)
            else:
                changed = [name for name, value in values.items() if _differs(area, name, value)]
                if changed:
                    if "path" in changed:
                        moved.append((area.path, values["path"]))
                    for name in changed:
                        setattr(area, name, values[name])
                    area.updated_at = now
                    to_update.append(area)
                    updated.append(row.code)
                else:
                    unchanged += 1
            saved[row.code] = area
        Area.objects.bulk_create(to_create, batch_size=500)
        Area.objects.bulk_update(to_update, [*_WRITTEN_FIELDS, "updated_at"], batch_size=500)
        for old_path, new_path in moved:
            # The area moved (a district to another city): its descendants' paths follow.
            Area.objects.filter(path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), updated_at=now
            )
    return created, updated, unchanged


def import_areas(*, actor: User, text: str, source_name: str) -> ImportResult:
    """Import (create or update, by code) the areas of a GeoJSON FeatureCollection.

    Everything is validated before anything is written; on any problem ``AreaImportError`` lists them all and the
    database is unchanged. Features of the file replace the stored fields of their areas, boundary included (a
    feature without geometry clears the boundary); areas not in the file are left alone. Paths, bounding boxes
    and centroids are computed here. One audit row records the import, and the grid index is invalidated once
    the transaction commits; an import that changes nothing writes nothing, not even those.
    """
    require(actor, Verb.MANAGE_AREAS)
    with transaction.atomic():
        plan = validate_areas(text)
        created, updated, unchanged = _write(plan)
        result = ImportResult(
            created=len(created),
            updated=len(updated),
            unchanged=unchanged,
            source=source_name,
            created_codes=created,
            updated_codes=updated,
        )
        if created or updated:
            record(
                actor=actor,
                verb="import_areas",
                summary=f"{source_name}: {result.created} created, {result.updated} updated, {unchanged} unchanged",
                data={
                    "source": source_name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": unchanged,
                    "created_codes": created[:_AUDIT_MAX_CODES],
                    "updated_codes": updated[:_AUDIT_MAX_CODES],
                },
            )
            transaction.on_commit(invalidate_grid_index)
    return result


def update_area(
    *, actor: User, area: Area, name: str, aliases: Iterable[str], case_prefix: str | None = None
) -> Area:
    """Change an area's name, aliases and case-number prefix (admin edits); code, level, parent and boundary change
    by import only. ``case_prefix=None`` leaves the prefix as it is.

    Raises ``ValidationError`` naming the field when the name is empty or too long.
    """
    require(actor, Verb.MANAGE_AREAS, area)
    clean_name = (name or "").strip()
    if not clean_name:
        raise ValidationError({"name": [_("The name must not be empty.")]})
    if len(clean_name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": [_("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH}]}
        )
    clean = clean_aliases(list(aliases))
    if clean is None:
        raise ValidationError({"aliases": [_('"aliases" must be a list of names.')]})
    prefix = (case_prefix or "").strip().upper() if case_prefix is not None else None
    if prefix and not (prefix.isascii() and prefix.isalnum() and len(prefix) <= 8):
        raise ValidationError({"case_prefix": [_("Use up to 8 letters or digits, e.g. SG.")]})
    with transaction.atomic():
        current = Area.objects.select_for_update().get(pk=area.pk)
        before = {
            "name": current.name,
            "aliases": list(current.aliases or []),
            "case_prefix": current.case_prefix,
        }
        after = {
            "name": clean_name,
            "aliases": clean,
            "case_prefix": current.case_prefix if prefix is None else prefix,
        }
        if before != after:
            current.name = clean_name
            current.aliases = clean
            current.case_prefix = str(after["case_prefix"])
            current.save(update_fields=["name", "aliases", "case_prefix", "updated_at"])
            record(
                actor=actor,
                verb="update_area",
                target=current,
                summary=f"{current.code} {clean_name}",
                data={"before": before, "after": after},
            )
            # Names and aliases feed the triage gazetteer, and areas are cached per process with the index.
            transaction.on_commit(invalidate_grid_index)
    area.name, area.aliases, area.case_prefix = current.name, current.aliases, current.case_prefix
    area.updated_at = current.updated_at
    return area
