"""Accountability indicators (行政问效): who received what, answered in time, solved it in time, and pleased people.

Every indicator is a ratio of two *counts*, and every count is a condition (a ``Q``) over the rows of a *cohort*:

* the area cohort: the cases reported in the period whose place lies in the unit (a grid, a village, a town, a
  grid worker's grids), merged duplicates left out (they are counted in their master case);
* the department cohort: the assignments a department received in the period (lead or helper), cancelled ones left
  out (the center took the case back, not the department's doing). A department that received one case twice in
  the period (sent back, then given to it again) has two rows, and its drill-through lists the case twice.

The same conditions produce the numbers (``Count(filter=condition)``, grouped in SQL) and the lists of cases behind
them (``cases_behind``), so a number and its drill-through can never disagree. "Overdue now" is the one count not
tied to the period: the unit's open cases past their deadline at the moment of the query.
docs/indicators.md gives each formula in words and a worked example; ``COUNT_HELP`` and ``INDICATORS`` carry the
same text for the pages' hover help.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant
from gridgov.cases.choices import CaseStatus, Satisfaction
from gridgov.cases.models import Case, CaseEvent
from gridgov.command.periods import Period
from gridgov.core.lookups import plain
from gridgov.core.scope import path_prefixes
from gridgov.dispatch.choices import AssignmentStatus
from gridgov.dispatch.models import Assignment, Department
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

#: Statuses in which a case is still being worked on and its deadline runs (as the deadline sweep watches them).
RUNNING = (CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED)
#: Timeline verbs that mean "the result was not accepted and the work had to be done again" (返工/重办).
REWORK_VERBS = ("verify_redo", "redo_in_grid", "rate_dissatisfied")
#: The timeline verb of a department sending a case back (退回).
RETURN_VERB = "return"
#: The timeline verb of closing a work order another system finished (imported history, ``cases.history``).
HISTORY_VERB = "close_historical"
#: Ratings that count as satisfied (满意 + 基本满意), as the 12345 bulletins count them.
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
#: Assignment statuses in which the department still holds the case.
OPEN_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)

AREA = "area"
DEPARTMENT = "department"
#: The pseudo unit kind of a table's remainder: the cases of the area located in none of the table's units (e.g.
#: a hotline call placed at the town itself, not in a grid). ``cases_behind("rest", <unit kind>, …)``.
REST = "rest"

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
    "rateable": _("Rateable"),
    "rated": _("Rated"),
    "satisfied": _("Satisfied"),
    "overdue_now": _("Overdue now"),
}

#: What each count counts, for the glossary and the drill-through pages (docs/indicators.md says it at length).
COUNT_HELP: dict[str, Promise] = {
    "received": _(
        "For an area: the cases reported in the period and located in it, merged duplicates left out. For a "
        "department: the assignments (lead or helper) it received in the period, cancelled ones left out."
    ),
    "responded_on_time": _(
        "Received and answered before the deadline: a case accepted or rejected before its acceptance "
        "deadline (a grid worker's own report is accepted when reported); an assignment signed for or sent "
        "back before its sign deadline."
    ),
    "resolved": _(
        "Received and resolved now (a result that failed the check or a reopened case is not resolved until "
        "it is resolved again). For a department: not counting the assignments it sent back."
    ),
    "resolved_on_time": _(
        "Resolved, and resolved no later than the resolve deadline (or without a deadline)."
    ),
    "due": _(
        "Resolved, or still being handled past the resolve deadline at the moment of the query. Cases still "
        "within their time, suspended, awaiting acceptance or rejected are not due."
    ),
    "dispatched": _(
        "For an area: received cases that were dispatched to a department. For a department: every assignment "
        "it received."
    ),
    "returned": _(
        "For an area: dispatched cases that a department sent back at least once. For a department: the "
        "assignments it sent back."
    ),
    "reworked": _(
        "Received cases whose result failed the check or whose reporter was dissatisfied, so the work was done "
        "again (at any time up to now). For a department: not counting the assignments it sent back."
    ),
    "rateable": _(
        "Cases whose result reached the reporter: resolved now, or rated (a case reopened after a dissatisfied "
        "rating keeps its rating while it is being redone)."
    ),
    "rated": _("Received cases that carry a rating (online or from the return visit)."),
    "satisfied": _("Rated satisfied or basically satisfied."),
    "overdue_now": _(
        "Not tied to the period: the unit's open cases past their deadline at the moment of the query "
        "(awaiting acceptance past the acceptance deadline, or being handled past the resolve deadline). For "
        "a department: such cases it still holds."
    ),
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
            "Answered on time ÷ received. A case is answered on time when it was accepted or rejected before "
            "its acceptance deadline; a department's assignment when it was signed for or sent back before its "
            "sign deadline."
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
            "Resolved on time ÷ due. Due: resolved, or still being handled past the resolve deadline; cases "
            "still within their time are not counted yet."
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
        "rateable",
        _(
            "Rated ÷ rateable: of the cases whose result reached the reporter (resolved now, or rated and "
            "reopened), those the reporter rated (online or on the return visit)."
        ),
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
    rateable: int = 0

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
    return Q(**{f"{prefix}status": CaseStatus.REPORTED, f"{prefix}accept_by__lt": now}) | _late(prefix, now)


def _late(prefix: str, now: datetime) -> Q:
    """The case is being handled and past its resolve deadline at ``now`` (due, and not resolved on time)."""
    return Q(**{f"{prefix}status__in": RUNNING, f"{prefix}resolve_by__lt": now})


def _in_time(moment: str, deadline: str) -> Q:
    """``moment`` happened, no later than ``deadline`` (or there was no deadline)."""
    return Q(**{f"{moment}__isnull": False}) & (
        Q(**{f"{deadline}__isnull": True}) | Q(**{f"{moment}__lte": F(deadline)})
    )


def _case_ids_with(verbs: tuple[str, ...]) -> QuerySet[Any]:
    """The ids of the cases whose timeline has one of ``verbs``, as an uncorrelated subquery.

    The database reads those few events once and hashes them (``id IN (…)``) instead of probing the timeline
    once per counted row (a correlated ``EXISTS``: tens of thousands of probes for a district's month). A
    partial index on ``CaseEvent (verb, case_id)`` for these verbs makes the read an index-only scan
    (docs/indicators.md, Performance).
    """
    return CaseEvent.objects.filter(verb__in=verbs).order_by().values("case_id")


def _case_conditions(prefix: str, case_ref: str) -> dict[str, Q]:
    """Conditions on the case itself, shared by both cohorts (``prefix`` leads from the row to the case,
    ``case_ref`` is the row's case id)."""
    resolved = Q(**{f"{prefix}resolved_at__isnull": False})
    on_time = resolved & (
        Q(**{f"{prefix}resolve_by__isnull": True})
        | Q(**{f"{prefix}resolved_at__lte": F(f"{prefix}resolve_by")})
    )
    rated = ~Q(**{f"{prefix}satisfaction": ""})
    return {
        "resolved": resolved,
        "resolved_on_time": on_time,
        "reworked": Q(**{f"{prefix}reopen_count__gt": 0})
        | Q(**{f"{case_ref}__in": _case_ids_with(REWORK_VERBS)}),
        "rated": rated,
        # The results that reached the reporter through the platform: imported history was finished and
        # answered in the other system, so nobody here could ask for a rating.
        "rateable": (resolved | rated) & ~Q(**{f"{case_ref}__in": _case_ids_with((HISTORY_VERB,))}),
        "satisfied": Q(**{f"{prefix}satisfaction__in": SATISFIED}),
    }


def conditions(cohort: str, now: datetime) -> dict[str, Q]:
    """Each count's condition over the rows of ``cohort`` (cases, or a department's assignments)."""
    if cohort == AREA:
        shared = _case_conditions("", "pk")
        return {
            "received": Q(),
            "responded_on_time": _in_time("accepted_at", "accept_by")
            | (Q(status=CaseStatus.REJECTED) & _in_time("closed_at", "accept_by")),
            **shared,
            "due": shared["resolved"] | _late("", now),
            "dispatched": Q(dispatched_at__isnull=False),
            # Sent back at least once: the ``return`` verb on the timeline (every return_case writes it, and
            # its assignment stays "returned" for good).
            "returned": Q(pk__in=_case_ids_with((RETURN_VERB,))),
            "overdue_now": _overdue("", now),
        }
    shared = _case_conditions("case__", "case_id")
    kept = ~Q(status=AssignmentStatus.RETURNED)
    still_held = Q(status__in=OPEN_ASSIGNMENT)
    return {
        "received": Q(),
        "responded_on_time": _in_time("signed_at", "sign_by")
        | (Q(status=AssignmentStatus.RETURNED) & _in_time("finished_at", "sign_by")),
        "resolved": shared["resolved"] & kept,
        "resolved_on_time": shared["resolved_on_time"] & kept,
        "reworked": shared["reworked"] & kept,
        "rateable": shared["rateable"] & kept,
        "rated": shared["rated"] & kept,
        "satisfied": shared["satisfied"] & kept,
        "due": (shared["resolved"] & kept) | (_late("case__", now) & still_held),
        "dispatched": Q(),
        "returned": Q(status=AssignmentStatus.RETURNED),
        "overdue_now": _overdue("case__", now) & still_held,
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
        status__in=OPEN_ASSIGNMENT,
        case__status__in=(CaseStatus.REPORTED, *RUNNING),
    )


def _open_area_filter(cohort: str, area_path: str) -> Q:
    """The area condition for open rows, written so that the database reads them through the status index.

    Open cases are a small share of all cases, so "open, then in the area" is the cheap order. ``within`` would
    offer the ``area_path`` index too, and SQLite's planner takes it for a whole district, reading every case of
    the district (1.2 s at 200,000 cases instead of milliseconds); a LIKE prefix uses no index on either database.
    """
    return Q(area_path__startswith=area_path) if cohort == AREA else Q(case__area_path__startswith=area_path)


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
    # The open rows are few: the WHERE names only their statuses and place, so that the status index finds them
    # (a deadline comparison in the WHERE lets SQLite walk the deadline index over every case instead), and the
    # overdue test is the count's filter. Grouped by an expression for the same reason (see ``plain``).
    open_rows = _open_rows(cohort).filter(_open_area_filter(cohort, area.path))
    overdue = Count("pk", filter=conds["overdue_now"])
    if group is None:
        totals = rows.aggregate(**period_counts)
        result[None] = _figures(totals)
        result[None].overdue_now = open_rows.aggregate(n=overdue)["n"] or 0
        return result
    for values in rows.order_by().values(group).annotate(**period_counts):
        result[values[group]] = _figures(values)
    for values in open_rows.order_by().values(key=plain(group)).annotate(n=overdue):
        if values["n"]:
            result[_key_type(group)(values["key"])].overdue_now = values["n"]
    return result


def _key_type(group: str) -> type:
    """``plain`` turns the group key into text; ids come back as integers."""
    return int if group.endswith("_id") else str


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
#: The unit kinds whose units are areas that do not overlap (a table of them has a total and a remainder).
AREA_KINDS = ("child", "town", "village", "grid")


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
    return table_and_rest(kind, area, period, now=now)[0]


def table_and_rest(
    kind: str, area: Area, period: Period, *, now: datetime | None = None
) -> tuple[list[Row], Figures | None]:
    """``table`` plus, for the area kinds (``AREA_KINDS``), the figures of the cases in ``area`` located in none
    of the rows' units (``cases_behind(REST, kind, …)`` lists them), so that rows + remainder = ``area_summary``.
    The remainder is None for grid workers and departments, whose rows may overlap."""
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
        return rows, None
    per_path = _aggregate(AREA, period, area, "area_path", now)
    if kind == "worker":
        owners = _worker_grids(area)
        for path, figures in per_path.items():
            # Once per worker, even if two of the worker's grants contain the place (as ``cases_behind`` lists it).
            workers = {user_key for prefix in path_prefixes(path) for user_key in owners.get(prefix, ())}
            for user_key in workers:
                by_key[user_key].figures.add(figures)
        return rows, None
    unit_by_path = {a.path: a.code for a in unit_areas(kind, area)}
    rest = Figures()
    for path, figures in per_path.items():
        code = _unit_code(path, unit_by_path)
        if code is None:
            rest.add(figures)
        else:
            by_key[code].figures.add(figures)
    return rows, rest


def _unit_code(path: str, unit_by_path: dict[str, str]) -> str | None:
    """The code of the unit whose area contains ``path`` (None: none of them)."""
    for prefix in path_prefixes(path):
        code = unit_by_path.get(prefix)
        if code is not None:
            return code
    return None


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

    ``kind`` "area" with ``key`` = ``area.code`` (or the code of an area inside it) gives the whole area (the
    headline numbers, a table's total); ``kind`` ``REST`` with ``key`` = a unit kind gives a table's remainder.
    For a department the rows are its assignments: a case it received twice in the period appears twice, with
    the assignment as ``assignment_id``, ``assignment_role``, ``assignment_status``, ``assigned_at``.
    Raises ``ValueError`` for an unknown kind or count and ``DoesNotExist`` for an unknown unit.
    """
    if count not in COUNTS:
        raise ValueError(f"unknown count {count!r}")
    now = now or timezone.now()
    if kind == "department":
        cohort = DEPARTMENT
        if count == "overdue_now":
            base = _open_rows(cohort).filter(_open_area_filter(cohort, area.path))
        else:
            base = _period_rows(cohort, period).filter(_area_filter(cohort, area.path))
        rows = base.filter(conditions(cohort, now)[count], department_id=int(key))
        return Case.objects.filter(assignments__in=rows).annotate(
            assignment_id=F("assignments__id"),
            assignment_role=F("assignments__role"),
            assignment_status=F("assignments__status"),
            assigned_at=F("assignments__created_at"),
        )
    if count == "overdue_now":
        base = _open_rows(AREA).filter(_open_area_filter(AREA, area.path))
    else:
        base = _period_rows(AREA, period).filter(_area_filter(AREA, area.path))
    cases = base.filter(conditions(AREA, now)[count])
    if kind == "worker":
        paths = [path for path, owners in _worker_grids(area).items() if key in owners]
        place = Q(pk__in=[])
        for path in paths:
            place |= Q(area_path__within=path)
        return cases.filter(place)
    if kind == "area":
        unit = area if key == area.code else Area.objects.get(code=key, path__startswith=area.path)
        return cases.filter(area_path__within=unit.path)
    if kind == REST:
        if key not in AREA_KINDS:
            raise ValueError(f"no remainder for unit kind {key!r}")
        unit_by_path = {a.path: a.code for a in unit_areas(key, area)}
        places = cases.order_by().values_list("area_path", flat=True).distinct()
        return cases.filter(area_path__in=[p for p in places if _unit_code(p, unit_by_path) is None])
    if kind not in AREA_KINDS:
        raise ValueError(f"unknown unit kind {kind!r}")
    unit = unit_areas(kind, area).get(code=key)
    return cases.filter(area_path__within=unit.path)
