"""Reads of the dispatch app: which departments serve an area, which department a case should go to, and the
progress of coordinated cases (联动指挥) side by side."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from gridgov.accounts.permissions import Verb, can
from gridgov.cases.choices import CaseStatus
from gridgov.cases.models import Case, CaseEvent, Category
from gridgov.core.scope import Scope, path_prefixes
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment, Department, RoutingRule
from gridgov.geo.models import Area

#: The timeline verb of a coordination order (联动指挥).
COORDINATE_VERB = "coordinate"


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


# --- Coordination (联动指挥) ----------------------------------------------------------------------------------------

#: Statuses in which a team can be formed: accepted or reopened (a dispatch with a joint deadline) and dispatched or
#: in progress (the team is re-formed).
COORDINABLE: frozenset[str] = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.REOPENED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS}
)
#: Statuses in which a coordinated case is still being worked on (the board's "in progress" tab).
COORDINATION_ACTIVE: frozenset[str] = COORDINABLE | {CaseStatus.SUSPENDED}
#: Assignments that still give their department work on the case.
_OPEN = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)


class Coordinator(StrEnum):
    """In which capacity a user may coordinate a case."""

    DISPATCHER = "dispatcher"  # a dispatcher of the command center holding the case
    LEADER = "leader"  # a leader whose area contains the case (督办)


def coordinator_role(user: Any, case: Case) -> Coordinator | None:
    """Whether ``user`` may form the team of ``case``, and as what: the dispatcher of the center that holds the case
    (the same check as dispatching it) or a leader of its area (the same check as a supervision order)."""
    if can(user, Verb.DISPATCH_CASE, case.owner_area) and can(user, Verb.DISPATCH_CASE, case):
        return Coordinator.DISPATCHER
    if can(user, Verb.SUPERVISE_CASE, case):
        return Coordinator.LEADER
    return None


def may_coordinate(user: Any, case: Case) -> bool:
    """May ``user`` form or re-form the team of ``case`` now (permission and status)?"""
    return case.status in COORDINABLE and coordinator_role(user, case) is not None


@dataclass(frozen=True)
class PartProgress:
    """One department's part of a coordinated case: its assignment, what it is due by and whether it is late.

    ``due`` is the assignment's own deadline (the joint deadline it was given) or else the case's deadline.
    ``sign_late``: signed after its sign deadline, or still unsigned past it. ``late``: finished after ``due``, or
    still open past it.
    """

    assignment: Assignment
    due: datetime | None
    sign_late: bool
    late: bool

    @property
    def is_lead(self) -> bool:
        return self.assignment.role == AssignmentRole.LEAD


@dataclass(frozen=True)
class TeamProgress:
    """A coordinated case with the parts of its current team side by side (the lead first) and its latest order."""

    case: Case
    parts: list[PartProgress]
    order: CaseEvent | None = None
    late: bool = False  # the joint deadline passed before the case was resolved

    @property
    def lead(self) -> PartProgress | None:
        return next((part for part in self.parts if part.is_lead), None)

    @property
    def helpers(self) -> list[PartProgress]:
        return [part for part in self.parts if not part.is_lead]

    @property
    def done_count(self) -> int:
        return sum(part.assignment.status == AssignmentStatus.RESOLVED for part in self.parts)


def team_assignments(case: Case) -> list[Assignment]:
    """The assignments of the case's current round, the lead first: open ones, and those finished since the case
    was last dispatched (a helper's part done, the lead's resolution). Cancelled and returned ones are history.

    Uses ``case.assignments.all()``, so a prefetched list costs no query.
    """
    since = case.dispatched_at
    current = [
        assignment
        for assignment in case.assignments.all()
        if assignment.status in _OPEN
        or (
            assignment.status == AssignmentStatus.RESOLVED
            and (since is None or (assignment.finished_at is not None and assignment.finished_at >= since))
        )
    ]
    return sorted(current, key=lambda item: (item.role != AssignmentRole.LEAD, item.pk))


def part_progress(assignment: Assignment, case: Case, now: datetime) -> PartProgress:
    due = assignment.due_by or case.resolve_by
    if assignment.status == AssignmentStatus.RESOLVED:
        late = due is not None and assignment.finished_at is not None and assignment.finished_at > due
    else:
        late = assignment.status in _OPEN and due is not None and now > due
    sign_by = assignment.sign_by
    sign_late = sign_by is not None and (
        (assignment.signed_at is not None and assignment.signed_at > sign_by)
        or (assignment.status == AssignmentStatus.PENDING and now > sign_by)
    )
    return PartProgress(assignment=assignment, due=due, sign_late=sign_late, late=late)


def team_progress(case: Case, *, now: datetime, order: CaseEvent | None = None) -> TeamProgress:
    """The current team of ``case`` side by side; ``order`` is its latest coordination order, if known."""
    parts = [part_progress(assignment, case, now) for assignment in team_assignments(case)]
    deadline = case.resolve_by
    if deadline is None:
        late = False
    elif case.resolved_at is not None:
        late = case.resolved_at > deadline
    else:
        late = case.is_open and now > deadline
    return TeamProgress(case=case, parts=parts, order=order, late=late)


@dataclass(frozen=True)
class CoordinationOrder:
    """A coordination order of the timeline with the team and deadline it set, department names resolved."""

    event: CaseEvent
    lead: str
    helpers: list[str]
    deadline: datetime | None


def coordination_orders(case: Case) -> list[CoordinationOrder]:
    """The coordination orders given on ``case``, oldest first."""
    events = list(case.events.filter(verb=COORDINATE_VERB).select_related("actor").order_by("at", "id"))
    data = [event.data if isinstance(event.data, dict) else {} for event in events]
    codes = {str(code) for item in data for code in [item.get("lead"), *item.get("helpers", [])] if code}
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
    orders = []
    for event, item in zip(events, data, strict=True):
        try:
            deadline = datetime.fromisoformat(str(item["deadline"]))
        except (KeyError, ValueError):
            deadline = None
        orders.append(
            CoordinationOrder(
                event=event,
                lead=names.get(str(item.get("lead")), str(item.get("lead") or "")),
                helpers=[names.get(str(code), str(code)) for code in item.get("helpers", [])],
                deadline=deadline,
            )
        )
    return orders


def coordinated_cases(user: Any, area: Area, *, finished: bool = False) -> QuerySet[Case]:
    """Cases in ``area`` that ``user`` may see and that had at least one coordination order: those still being
    worked on (most pressing deadline first) or, with ``finished``, the others (latest first)."""
    from gridgov.cases.selectors import visible_cases  # cases.selectors reads dispatch models: import late

    ordered = CaseEvent.objects.filter(case=OuterRef("pk"), verb=COORDINATE_VERB)
    cases = (
        visible_cases(user)
        .filter(area_path__within=area.path)
        .filter(Exists(ordered))
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("department").order_by("id"))
        )
    )
    if finished:
        return cases.exclude(status__in=COORDINATION_ACTIVE).order_by("-updated_at", "-id")
    return cases.filter(status__in=COORDINATION_ACTIVE).order_by(
        F("resolve_by").asc(nulls_last=True), "-reported_at", "-id"
    )


def coordination_board(cases: Iterable[Case], *, now: datetime) -> list[TeamProgress]:
    """Each case's team side by side with its latest coordination order (one query for all the orders)."""
    cases = list(cases)
    latest: dict[int, CaseEvent] = {}
    orders = CaseEvent.objects.filter(case_id__in=[case.pk for case in cases], verb=COORDINATE_VERB)
    for event in orders.select_related("actor").order_by("at", "id"):
        latest[event.case_id] = event
    return [team_progress(case, now=now, order=latest.get(case.pk)) for case in cases]


def helper_assignment_of(user: Any, case: Case) -> Assignment | None:
    """The open helper (协办) assignment of one of ``user``'s departments on ``case``, if any."""
    for assignment in case.assignments.filter(role=AssignmentRole.HELPER, status__in=_OPEN).select_related(
        "department"
    ):
        scope = Scope(area_path=case.area_path, department_ids=frozenset({assignment.department_id}))
        if can(user, Verb.HANDLE_CASE, scope):
            return assignment
    return None
