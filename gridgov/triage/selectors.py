"""Reads of the triage app: duplicate candidates among open cases, labelled history, model versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import DateTimeField, F, QuerySet
from django.utils.translation import gettext_lazy

from gridgov.core.lookups import NotIndexed
from gridgov.geo.geometry import box_around
from gridgov.triage.corpus import Example
from gridgov.triage.duplicates import DuplicateRules

if TYPE_CHECKING:
    from gridgov.cases.models import Case

#: At most this many candidates are compared per report (the most recent first).
MAX_CANDIDATES = 200
#: What a duplicate candidate is read with, for one report and for a batch. With the text: candidates near one
#: report are few, and fetching the texts of those this process has not vectorised yet in a second query cost a
#: round trip on most reports with two server processes.
CANDIDATE_COLUMNS = ("number", "text", "lat", "lon", "reported_at")
CANDIDATE_CODES = {"category_code": F("category__code"), "grid_code": F("grid__code")}


def duplicate_rows(
    *,
    lat: float | None,
    lon: float | None,
    grid: str | None,
    at: datetime,
    rules: DuplicateRules,
    exclude_case: int | None = None,
) -> list[dict[str, Any]]:
    """Open cases near the point (a box of the radius) or in the grid, reported within the window before ``at``."""
    from gridgov.cases.models import Case

    # Two indexed searches joined by UNION (an OR of both would make the planner walk the whole week's cases by
    # report time): cases in the box around the point, by the (lat, lon) index; cases of the grid, by the
    # (grid, reported_at) index — with a point, only those without coordinates (the others are in the box or too
    # far); without one, all of them.
    branches: list[QuerySet[Case]] = []
    if lat is not None and lon is not None:
        lats, lons = box_around(lat, lon, rules.radius_m)
        # The window is tested on an unindexed copy of the time here: the box is the narrow condition.
        near = Case.objects.filter(lat__range=lats, lon__range=lons)
        branches.append(near.alias(at=NotIndexed(F("reported_at"), output_field=DateTimeField())))
    if grid is not None:
        from gridgov.geo.selectors import grid_by_code

        area = grid_by_code(grid)
        if area is not None:
            in_grid = Case.objects.filter(grid_id=area.pk)
            branches.append(
                in_grid.filter(lat__isnull=True) if lat is not None and lon is not None else in_grid
            )
    if not branches:
        return []
    selected = [
        _open_within(branch, at - rules.window, at, exclude_case)
        .order_by()  # no ORDER BY inside the branches of a UNION: the combined rows are ordered below
        .values(*CANDIDATE_COLUMNS, **CANDIDATE_CODES)
        for branch in branches
    ]
    # The branches never share a row (with a point, the grid branch only has cases without coordinates): UNION ALL.
    combined = selected[0].union(*selected[1:], all=True) if len(selected) > 1 else selected[0]
    rows = combined.order_by("-reported_at")[:MAX_CANDIDATES]
    return [candidate_row(r) for r in rows]


def candidate_row(row: dict[str, Any]) -> dict[str, Any]:
    """A case row of ``CANDIDATE_COLUMNS`` and ``CANDIDATE_CODES`` as ``engine.open_case_candidates`` reads it."""
    return {
        "number": row["number"],
        "text": row["text"],
        "category": row["category_code"],
        "lat": row["lat"],
        "lon": row["lon"],
        "grid": row["grid_code"],
        "reported_at": row["reported_at"],
    }


def _open_within(
    cases: QuerySet[Case], start: datetime, end: datetime, exclude_case: int | None
) -> QuerySet[Case]:
    from gridgov.cases.workflow import TERMINAL

    time = "at" if "at" in cases.query.annotations else "reported_at"
    cases = cases.filter(**{f"{time}__gte": start, f"{time}__lte": end}).exclude(status__in=TERMINAL)
    return cases.exclude(pk=exclude_case) if exclude_case is not None else cases


def labelled_history(limit: int | None = None) -> list[Example]:
    """Cases whose category a person confirmed (accepted them) or corrected: labelled examples for training."""
    from gridgov.cases.models import Case, CaseEvent

    system = settings.GRIDGOV["SYSTEM_USERNAME"]
    accepted = (
        CaseEvent.objects.filter(verb="accept", actor__isnull=False)
        .exclude(actor__username=system)
        .values("case_id")
    )
    cases = (
        Case.objects.filter(pk__in=accepted, category__isnull=False)
        .order_by("-reported_at")
        .values_list("text", "category__code")
    )
    if limit is not None:
        cases = cases[:limit]
    return [Example(text=text, category=code, source="history") for text, code in cases]


def open_cases_index(model: Any, rules: DuplicateRules) -> Any:
    """A ``DuplicateIndex`` of every open case reported within the window before now (for batch triage)."""
    from gridgov.cases.models import Case
    from gridgov.cases.workflow import TERMINAL
    from gridgov.triage.duplicates import DuplicateIndex
    from gridgov.triage.engine import open_case_candidates

    index = DuplicateIndex(rules)
    rows = (
        Case.objects.exclude(status__in=TERMINAL)
        .values(*CANDIDATE_COLUMNS, **CANDIDATE_CODES)
        .order_by("reported_at")
        .iterator(chunk_size=5000)
    )
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        for candidate in open_case_candidates(model, batch):
            index.add(candidate)
        batch.clear()

    for r in rows:
        batch.append(candidate_row(r))
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    return index


def batch_engine(*, with_open_cases: bool) -> Any:
    """A ``Triage`` over the current model, the areas of the database and (optionally) the open cases."""
    from gridgov.geo.index import GridIndex
    from gridgov.triage.duplicates import DuplicateIndex
    from gridgov.triage.engine import Triage, rules_from_settings
    from gridgov.triage.gazetteer import Gazetteer
    from gridgov.triage.registry import get_model

    loaded = get_model()
    rules = rules_from_settings()
    grid_index = GridIndex.from_database()
    return Triage(
        loaded.model,
        label=loaded.label,
        gazetteer=Gazetteer.from_database(),
        grid_lookup=grid_index.lookup if len(grid_index) else None,
        duplicates=open_cases_index(loaded.model, rules) if with_open_cases else DuplicateIndex(rules),
    )


#: How the dispatcher's view names the kinds of danger found in a text.
DANGER_LABELS = {
    "fire": gettext_lazy("fire or smoke"),
    "gas": gettext_lazy("gas"),
    "water": gettext_lazy("someone in the water"),
    "collapse": gettext_lazy("collapse"),
    "electric": gettext_lazy("live wire"),
    "violence": gettext_lazy("violence"),
    "missing": gettext_lazy("missing person"),
    "flood": gettext_lazy("water entering homes"),
    "health": gettext_lazy("someone collapsed or poisoned"),
    "trapped": gettext_lazy("someone trapped"),
}


@dataclass(frozen=True)
class SuggestionView:
    """Triage's advice on a case as the dispatcher's page shows it."""

    suggestion: Any
    scores: list[tuple[Any, float]]  # (Category or code, probability)
    top_category: Any
    confident: bool
    cues: list[str]
    duplicate: Any  # an open case the user may see, or None


def suggestion_for(user: Any, case: Any) -> SuggestionView | None:
    """The triage suggestion of ``case`` for ``user``'s page, or None when the case came in without triage."""
    from gridgov.cases.models import Category
    from gridgov.cases.selectors import visible_cases
    from gridgov.cases.workflow import TERMINAL
    from gridgov.triage.models import Suggestion

    suggestion = Suggestion.objects.filter(case=case).select_related("duplicate_of").first()
    if suggestion is None:
        return None
    codes = [code for code, _ in suggestion.scores]
    names = {c.code: c for c in Category.objects.filter(code__in=codes)}
    scores = [(names.get(code, code), float(p)) for code, p in suggestion.scores]
    duplicate = suggestion.duplicate_of
    if duplicate is not None and (
        duplicate.status in TERMINAL or not visible_cases(user).filter(pk=duplicate.pk).exists()
    ):
        duplicate = None
    return SuggestionView(
        suggestion=suggestion,
        scores=scores,
        top_category=names.get(suggestion.category),
        confident=suggestion.confidence >= float(settings.GRIDGOV["TRIAGE_AUTO_APPLY"]),
        cues=[str(DANGER_LABELS.get(c, c)) for c in suggestion.urgent_cues],
        duplicate=duplicate,
    )
