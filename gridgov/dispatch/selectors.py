"""Reads of the dispatch app: which departments serve an area, and which department a case should go to."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from gridgov.cases.models import Category
from gridgov.core.scope import path_prefixes
from gridgov.dispatch.models import Department, RoutingRule
from gridgov.geo.models import Area


@dataclass(frozen=True)
class RouteSuggestion:
    """The lead department and helpers for a category at a place, and the rule that decided it."""

    lead: Department
    helpers: list[Department] = field(default_factory=list)
    rule: RoutingRule | None = None


def departments_serving(area: Area) -> QuerySet[Department]:
    """Active departments whose area contains ``area`` (the town's offices and the district's bureaus)."""
    ancestor_paths = _ancestor_paths(area)
    return Department.objects.filter(is_active=True, area__path__in=ancestor_paths).select_related("area")


def suggest_route(category: Category, area: Area) -> RouteSuggestion | None:
    """The routing rule of the deepest area containing ``area`` for ``category`` (or the global rule).

    Returns ``None`` when no active rule applies: the case then stays with the command center to dispatch by hand.
    """
    ancestor_paths = _ancestor_paths(area)
    rules = (
        RoutingRule.objects.filter(category=category, is_active=True, lead__is_active=True)
        .filter(Q(area__isnull=True) | Q(area__path__in=ancestor_paths))
        .select_related("area", "lead")
        .prefetch_related("helpers")
    )
    best = max(rules, key=lambda rule: len(rule.area.path) if rule.area else 0, default=None)
    if best is None:
        return None
    helpers = [helper for helper in best.helpers.all() if helper.is_active and helper.pk != best.lead_id]
    return RouteSuggestion(lead=best.lead, helpers=helpers, rule=best)


def _ancestor_paths(area: Area) -> list[str]:
    return path_prefixes(area.path)
