"""Accountability indicators (行政问效): who received what, answered in time, solved it in time, and pleased people.

Every indicator is a ratio of two *counts*, and every count is a condition (a ``Q``) over the rows of a *cohort*:

* the area cohort: the cases reported in the period whose place lies in the unit (a grid, a village, a town, a
  grid worker's grids), merged duplicates left out (they are counted in their master case);
* the department cohort: the assignments a department received in the period (lead or helper), cancelled ones left
  out (the center took the case back, not the department's doing).

The same conditions produce the numbers (``Count(filter=condition)``, grouped in SQL) and the lists of cases behind
them (``cases_behind``), so a number and its drill-through can never disagree. "Overdue now" is the one count not
tied to the period: the unit's open cases past their deadline at the moment of the query.
docs/indicators.md gives each formula in words; ``INDICATORS`` carries the same text for the pages' hover help.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant
from gridgov.cases.choices import CaseStatus, Satisfaction
from gridgov.cases.models import Case, CaseEvent
from gridgov.command.periods import Period
from gridgov.core.scope import path_prefixes
from gridgov.dispatch.choices import AssignmentStatus
from gridgov.dispatch.models import Assignment, Department
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

#: Statuses in which a case is still being worked on and its deadline runs (as the deadline sweep watches them).
RUNNING = (CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED)
#: Timeline verbs that mean "the result was not accepted and the work had to be done again" (返工/重办).
REWORK_VERBS = ("verify_redo", "redo_in_grid", "rate_dissatisfied")
#: Ratings that count as satisfied (满意 + 基本满意), as the 12345 bulletins count them.
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)

AREA = "area"
DEPARTMENT = "department"

#: The counts every table row carries, in display order, with their labels.
COUNTS: dict[str, Promise] = {
    "received": _("Received"),
    "responded_on_time": _("Answered on time"),
    "resolved": _("Resolved"),
    "resolved_on_time": _("Resolved on time"),
    "due": _("Due"),
    "dispatched": _("Dispatched"),
    "returned": _("Returned"),
    "reworked": _("Redone"),
    "rated": _("Rated"),
    "satisfied": _("Satisfied"),
    "overdue_now": _("Overdue now"),
}


@dataclass(frozen=True)
class Indicator:
    """A ratio shown in the tables: ``numerator / denominator`` (both keys of ``COUNTS``), with its formula."""

    key: str
    label: Promise
    numerator: str
    denominator: str
    formula: Promise


INDICATORS: list[Indicator] = [
    Indicator(
        "response_rate",
        _("Response rate"),
        "responded_on_time",
        "received",
        _(
            "Answered on time ÷ received. A case is answered on time when it was accepted before its acceptance "
            "deadline; a department's assignment when it was signed before its sign deadline."
        ),
    ),
    Indicator(
        "resolution_rate",
        _("Resolution rate"),
        "resolved",
        "received",
        _("Resolved ÷ received: the share of the period's cases that are resolved now."),
    ),
    Indicator(
        "on_time_rate",
        _("On-time resolution rate"),
        "resolved_on_time",
        "due",
        _(
            "Resolved on time ÷ due. Due: resolved, or still open with its deadline passed; cases still within "
            "their time are not counted yet."
        ),
    ),
    Indicator(
        "return_rate",
        _("Return rate"),
        "returned",
        "dispatched",
        _(
            "Returned ÷ dispatched. For an area: its cases that a department sent back at least once; for a "
            "department: its assignments it sent back."
        ),
    ),
    Indicator(
        "rework_rate",
        _("Rework rate"),
        "reworked",
        "received",
        _(
            "Redone ÷ received: cases whose result failed the check or whose reporter was dissatisfied, so the "
            "work was done again."
        ),
    ),
    Indicator(
        "rating_rate",
        _("Rating rate"),
        "rated",
        "resolved",
        _("Rated ÷ resolved: resolved cases whose reporter gave a rating (online or on the return visit)."),
    ),
    Indicator(
        "satisfaction_rate",
        _("Satisfaction rate"),
        "satisfied",
        "rated",
        _("(Satisfied + basically satisfied) ÷ rated."),
    ),
]
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}

AVERAGE_DAYS_FORMULA = _(
    "Average, over the resolved cases, of the working days from the report to the resolution (Chinese working "
    "days: weekends and official holidays excluded, make-up workdays included)."
)


@dataclass
class Figures:
    """The counts of one unit (or of a whole area) for a period, and the indicators computed from them."""

    received: int = 0
    responded_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    due: int = 0
    dispatched: int = 0
    returned: int = 0
    reworked: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue_now: int = 0
    days_sum: float = 0.0
    days_count: int = 0

    def add(self, other: Figures) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def rate(self, key: str) -> float | None:
        """The indicator ``key`` as a fraction 0…1, or None when its denominator is zero."""
        indicator = INDICATOR_BY_KEY[key]
        denominator = getattr(self, indicator.denominator)
        return getattr(self, indicator.numerator) / denominator if denominator else None

    @property
    def response_rate(self) -> float | None:
        return self.rate("response_rate")

    @property
    def resolution_rate(self) -> float | None:
        return self.rate("resolution_rate")

    @property
    def on_time_rate(self) -> float | None:
        return self.rate("on_time_rate")

    @property
    def return_rate(self) -> float | None:
        return self.rate("return_rate")

    @property
    def rework_rate(self) -> float | None:
        return self.rate("rework_rate")

    @property
    def rating_rate(self) -> float | None:
        return self.rate("rating_rate")

    @property
    def satisfaction_rate(self) -> float | None:
        return self.rate("satisfaction_rate")

    @property
    def average_days(self) -> float | None:
        return self.days_sum / self.days_count if self.days_count else None


# --- The conditions ---------------------------------------------------------------------------------------------


def _overdue(prefix: str, now: datetime) -> Q:
    """The case (reached through ``prefix``) is open and past its deadline at ``now``."""
    return Q(**{f"{prefix}status": CaseStatus.REPORTED, f"{prefix}accept_by__lt": now}) | Q(
        **{f"{prefix}status__in": RUNNING, f"{prefix}resolve_by__lt": now}
    )


def _case_conditions(prefix: str, case_ref: str) -> dict[str, Q]:
    """Conditions on the case itself, shared by both cohorts (``prefix`` leads from the row to the case)."""
    resolved = Q(**{f"{prefix}resolved_at__isnull": False})
    on_time = resolved & (
        Q(**{f"{prefix}resolve_by__isnull": True})
        | Q(**{f"{prefix}resolved_at__lte": F(f"{prefix}resolve_by")})
    )
    rework_event = CaseEvent.objects.filter(case_id=OuterRef(case_ref), verb__in=REWORK_VERBS)
    return {
        "resolved": resolved,
        "resolved_on_time": on_time,
        "reworked": Q(**{f"{prefix}reopen_count__gt": 0}) | Q(Exists(rework_event)),
        "rated": ~Q(**{f"{prefix}satisfaction": ""}),
        "satisfied": Q(**{f"{prefix}satisfaction__in": SATISFIED}),
    }


def conditions(cohort: str, now: datetime) -> dict[str, Q]:
    """Each count's condition over the rows of ``cohort`` (cases, or a department's assignments)."""
    if cohort == AREA:
        shared = _case_conditions("", "pk")
        returned = Assignment.objects.filter(case_id=OuterRef("pk"), status=AssignmentStatus.RETURNED)
        overdue = _overdue("", now)
        return {
            "received": Q(),
            "responded_on_time": Q(accepted_at__isnull=False)
            & (Q(accept_by__isnull=True) | Q(accepted_at__lte=F("accept_by"))),
            **shared,
            "due": shared["resolved"] | overdue,
            "dispatched": Q(dispatched_at__isnull=False),
            "returned": Q(Exists(returned)),
            "overdue_now": overdue,
        }
    shared = _case_conditions("case__", "case_id")
    kept = ~Q(status=AssignmentStatus.RETURNED)
    overdue = _overdue("case__", now) & Q(status__in=(AssignmentStatus.PENDING, AssignmentStatus.SIGNED))
    return {
        "received": Q(),
        "responded_on_time": Q(signed_at__isnull=False)
        & (Q(sign_by__isnull=True) | Q(signed_at__lte=F("sign_by"))),
        "resolved": shared["resolved"] & kept,
        "resolved_on_time": shared["resolved_on_time"] & kept,
        "reworked": shared["reworked"],
        "rated": shared["rated"] & kept,
        "satisfied": shared["satisfied"] & kept,
        "due": (shared["resolved"] & kept) | overdue,
        "dispatched": Q(),
        "returned": Q(status=AssignmentStatus.RETURNED),
        "overdue_now": overdue,
    }


def _period_rows(cohort: str, period: Period) -> QuerySet[Any]:
    start, end = period.bounds()
    if cohort == AREA:
        return Case.objects.filter(reported_at__gte=start, reported_at__lt=end).exclude(
            status=CaseStatus.MERGED
        )
    return Assignment.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=AssignmentStatus.CANCELLED
    )


def _open_rows(cohort: str) -> QuerySet[Any]:
    """Rows that can be overdue now, whatever their period."""
    if cohort == AREA:
        return Case.objects.filter(status__in=(CaseStatus.REPORTED, *RUNNING))
    return Assignment.objects.filter(
        status__in=(AssignmentStatus.PENDING, AssignmentStatus.SIGNED),
        case__status__in=(CaseStatus.REPORTED, *RUNNING),
    )


def _area_filter(cohort: str, area_path: str) -> Q:
    return Q(area_path__within=area_path) if cohort == AREA else Q(case__area_path__within=area_path)


# --- Aggregation --------------------------------------------------------------------------------------------------


def _aggregate(
    cohort: str, period: Period, area: Area, group: str | None, now: datetime
) -> dict[Any, Figures]:
    """Figures per value of ``group`` (a field of the cohort's rows; None: one total under the key None)."""
    conds = conditions(cohort, now)
    days_field = "working_days_taken" if cohort == AREA else "case__working_days_taken"
    period_counts: dict[str, Any] = {
        key: Count("pk", filter=condition) if condition else Count("pk")
        for key, condition in conds.items()
        if key != "overdue_now"
    }
    period_counts["days_sum"] = Sum(days_field, filter=conds["resolved"])
    period_counts["days_count"] = Count(days_field, filter=conds["resolved"])
    result: dict[Any, Figures] = defaultdict(Figures)
    rows = _period_rows(cohort, period).filter(_area_filter(cohort, area.path))
    open_rows = _open_rows(cohort).filter(_area_filter(cohort, area.path), conds["overdue_now"])
    if group is None:
        totals = rows.aggregate(**period_counts)
        result[None] = _figures(totals)
        result[None].overdue_now = open_rows.count()
        return result
    for values in rows.order_by().values(group).annotate(**period_counts):
        result[values[group]] = _figures(values)
    for values in open_rows.order_by().values(group).annotate(n=Count("pk")):
        result[values[group]].overdue_now = values["n"]
    return result


def _figures(values: dict[str, Any]) -> Figures:
    figures = Figures()
    for item in fields(Figures):
        if item.name in values and values[item.name] is not None:
            setattr(figures, item.name, values[item.name])
    return figures


def area_summary(area: Area, period: Period, *, now: datetime | None = None) -> Figures:
    """The figures of everything in ``area`` for ``period`` (the headline numbers of a command center)."""
    return _aggregate(AREA, period, area, None, now or timezone.now())[None]


# --- Tables ---------------------------------------------------------------------------------------------------------

#: Unit kinds of the accountability tables.
UNIT_KINDS: dict[str, Promise] = {
    "child": _("Areas one level down"),
    "town": _("Towns and streets"),
    "village": _("Villages and communities"),
    "grid": _("Grids"),
    "worker": _("Grid workers"),
    "department": _("Departments"),
}


@dataclass
class Row:
    """One line of an accountability table: a unit (area, grid worker or department) and its figures."""

    kind: str
    key: str
    label: str
    figures: Figures = field(default_factory=Figures)
    detail: str = ""  # e.g. the grids of a grid worker, the area a department serves


def units(kind: str, area: Area) -> list[Row]:
    """The empty rows of a table: every unit of ``kind`` inside ``area`` (so a unit with nothing shows zeros)."""
    if kind == "department":
        departments = Department.objects.filter(is_active=True).select_related("area")
        inside = [d for d in departments.filter(area__path__startswith=area.path)]
        return [Row(kind, str(d.pk), d.name, detail=d.area.name) for d in inside]
    if kind == "worker":
        grants = (
            RoleGrant.objects.filter(role=Role.GRID_WORKER, area__path__startswith=area.path)
            .select_related("user", "area")
            .order_by("user__username", "area__code")
        )
        rows: dict[int, Row] = {}
        for grant in grants:
            row = rows.setdefault(
                grant.user_id, Row(kind, str(grant.user_id), grant.user.display_name or grant.user.username)
            )
            grid_name = grant.area.name if grant.area else ""
            row.detail = f"{row.detail}、{grid_name}" if row.detail else grid_name
        return list(rows.values())
    return [Row(kind, a.code, a.name) for a in unit_areas(kind, area)]


def unit_areas(kind: str, area: Area) -> QuerySet[Area]:
    if kind == "child":
        return Area.objects.filter(parent=area, is_active=True).order_by("code")
    level = {"town": AreaLevel.TOWN, "village": AreaLevel.VILLAGE, "grid": AreaLevel.GRID}[kind]
    return Area.objects.filter(level=level, path__startswith=area.path, is_active=True).order_by("path")


def _worker_grids(area: Area) -> dict[str, list[str]]:
    """Grid path → the ids (as text) of the grid workers looking after it, inside ``area``."""
    grids: dict[str, list[str]] = defaultdict(list)
    for user_id, path in RoleGrant.objects.filter(
        role=Role.GRID_WORKER, area__path__startswith=area.path
    ).values_list("user_id", "area__path"):
        grids[path].append(str(user_id))
    return grids


def table(kind: str, area: Area, period: Period, *, now: datetime | None = None) -> list[Row]:
    """The accountability table of ``kind`` units inside ``area`` for ``period``, in the units' natural order.

    Areas and grid workers are summed from one GROUP BY ``area_path`` query (a case counts for every unit whose
    area contains its place); departments from one GROUP BY ``department`` query over assignments.
    """
    if kind not in UNIT_KINDS:
        raise ValueError(f"unknown unit kind {kind!r}")
    now = now or timezone.now()
    rows = units(kind, area)
    by_key = {row.key: row for row in rows}
    if kind == "department":
        for department_id, figures in _aggregate(DEPARTMENT, period, area, "department_id", now).items():
            row = by_key.get(str(department_id))
            if (
                row is None
            ):  # a department from outside the area working on cases inside it (a district bureau)
                department = Department.objects.select_related("area").get(pk=department_id)
                row = by_key[str(department_id)] = Row(kind, str(department_id), department.name)
                row.detail = department.area.name
                rows.append(row)
            row.figures.add(figures)
        return rows
    per_path = _aggregate(AREA, period, area, "area_path", now)
    if kind == "worker":
        owners = _worker_grids(area)
        for path, figures in per_path.items():
            for prefix in path_prefixes(path):
                for user_key in owners.get(prefix, ()):
                    by_key[user_key].figures.add(figures)
        return rows
    unit_by_path = {a.path: a.code for a in unit_areas(kind, area)}
    for path, figures in per_path.items():
        for prefix in path_prefixes(path):
            code = unit_by_path.get(prefix)
            if code is not None:
                by_key[code].figures.add(figures)
                break
    return rows


def totals(rows: Iterable[Row]) -> Figures:
    """The sum of a table's rows (meaningful for areas, which do not overlap; not for departments)."""
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return total


# --- Drill-through ------------------------------------------------------------------------------------------------


def cases_behind(
    kind: str, key: str, area: Area, period: Period, count: str, *, now: datetime | None = None
) -> QuerySet[Case]:
    """The cases behind one number of a table: unit ``kind``/``key`` inside ``area``, count ``count``.

    ``kind`` "area" with ``key`` = ``area.code`` gives the whole area (the headline numbers).
    """
    if count not in COUNTS:
        raise ValueError(f"unknown count {count!r}")
    now = now or timezone.now()
    if kind == "department":
        cohort = DEPARTMENT
        base = _open_rows(cohort) if count == "overdue_now" else _period_rows(cohort, period)
        rows = base.filter(
            _area_filter(cohort, area.path), conditions(cohort, now)[count], department_id=int(key)
        )
        return Case.objects.filter(pk__in=rows.values("case_id"))
    base = _open_rows(AREA) if count == "overdue_now" else _period_rows(AREA, period)
    cases = base.filter(_area_filter(AREA, area.path), conditions(AREA, now)[count])
    if kind == "worker":
        paths = [path for path, owners in _worker_grids(area).items() if key in owners]
        place = Q(pk__in=[])
        for path in paths:
            place |= Q(area_path__within=path)
        return cases.filter(place)
    if kind == "area":
        unit = area if key == area.code else Area.objects.get(code=key, path__startswith=area.path)
    else:
        unit = unit_areas(kind, area).get(code=key)
    return cases.filter(area_path__within=unit.path)
