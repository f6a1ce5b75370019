"""Which areas a user may analyse (指挥中心的辖区), and the steps of the drill-down district → town → village → grid."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gridgov.accounts.permissions import POLICY, Verb, can, grants_of
from gridgov.geo.choices import LEVEL_DEPTH, AreaLevel
from gridgov.geo.models import Area

#: The drill-down order; a grid has no child areas (its cases come next).
LEVEL_ORDER = [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWN, AreaLevel.VILLAGE, AreaLevel.GRID]


def analysis_areas(user: Any) -> list[Area]:
    """The outermost areas where ``user`` may see analysis (a leader's district, a dispatcher's town center…)."""
    roles = POLICY[Verb.VIEW_ANALYSIS]
    paths = sorted({g.area_path for g in grants_of(user) if g.role in roles and g.area_path})
    outermost = [p for p in paths if not any(p != other and p.startswith(other) for other in paths)]
    if not outermost:
        return []
    return list(Area.objects.filter(path__in=outermost, is_active=True).order_by("path"))


def analysis_area(user: Any, code: str | None) -> Area:
    """The area a command page is about: the one named by ``code`` or the user's first; 404 / 403 otherwise."""
    if not code:
        areas = analysis_areas(user)
        if not areas:
            raise PermissionDenied(_("You have no command center area."))
        return areas[0]
    area = Area.objects.filter(code=code, is_active=True).first()
    if area is None:
        raise Http404(_("No such area."))
    if not can(user, Verb.VIEW_ANALYSIS, area):
        raise PermissionDenied(_("This area is outside your command center."))
    return area


def child_areas(area: Area) -> QuerySet[Area]:
    """The areas one level down (towns of a district, villages of a town, grids of a village)."""
    return Area.objects.filter(parent=area, is_active=True).order_by("code")


def breadcrumbs(user: Any, area: Area) -> list[Area]:
    """The ancestors-and-self of ``area`` that ``user`` may analyse, outermost first (the drill-down trail)."""
    codes = area.ancestor_codes()
    chain = {a.code: a for a in Area.objects.filter(code__in=codes)}
    trail = [chain[code] for code in codes if code in chain]
    return [a for a in trail if can(user, Verb.VIEW_ANALYSIS, a)]


def level_below(level: str) -> str | None:
    index = LEVEL_ORDER.index(AreaLevel(level)) if level in AreaLevel.values else -1
    return LEVEL_ORDER[index + 1] if 0 <= index < len(LEVEL_ORDER) - 1 else None


def available_kinds(area: Area) -> list[str]:
    """The unit kinds of the accountability tables (``indicators.UNIT_KINDS``) that exist below ``area`` (a town
    has no towns inside it; a grid no grids), the default one first: what the page offers and the API accepts."""
    depth = LEVEL_DEPTH.get(area.level, 0)
    kinds = []
    if area.level != AreaLevel.GRID:
        kinds.append("child")
    for kind, level in (("town", AreaLevel.TOWN), ("village", AreaLevel.VILLAGE), ("grid", AreaLevel.GRID)):
        if depth < LEVEL_DEPTH[level]:
            kinds.append(kind)
    return [*kinds, "worker", "department"]
