"""Reads of the cases app shared by pages, API and other apps: what a user may see, and their work queues."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gridgov.accounts.choices import Role
from gridgov.accounts.permissions import Verb, grants_of, scope_q
from gridgov.cases.choices import AlertLevel, CaseStatus
from gridgov.cases.models import Case, Category
from gridgov.cases.workflow import TERMINAL
from gridgov.core.stamps import Stamped
from gridgov.dispatch.choices import AssignmentStatus
from gridgov.dispatch.models import Assignment

CATEGORIES_STAMP = "gridgov:cases:categories"
OPEN_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)
#: Assignments that let a department see the case (also after it resolved it: verification may send it back).
VISIBLE_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED, AssignmentStatus.RESOLVED)


def _load_categories() -> dict[str, Category]:
    return {category.code: category for category in Category.objects.all()}


#: Every category by code, kept per process until one is saved or deleted: each report reads its category.
_categories: Stamped[dict[str, Category]] = Stamped(CATEGORIES_STAMP, _load_categories)
_categories.follow(Category)


def category_by_code(code: str, *, active_only: bool = True) -> Category | None:
    """The category with ``code`` (an active one unless ``active_only`` is false), from the process's copy.

    The instance is shared by every request of the process: read it, use it as a foreign key, never change it.
    """
    category = _categories.get().get(code)
    if category is None or (active_only and not category.is_active):
        return None
    return category


def active_categories() -> QuerySet[Category]:
    """The categories residents and dispatchers choose from, in the town's order."""
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def _with_open_assignment(department_id: int, statuses: tuple[str, ...] = OPEN_ASSIGNMENT) -> Q:
    return Q(
        pk__in=Assignment.objects.filter(department_id=department_id, status__in=statuses).values("case_id")
    )


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case ``user`` may open (same policy as ``can(user, VIEW_CASE, case)``)."""
    condition = scope_q(
        user,
        Verb.VIEW_CASE,
        area_path_field="area_path",
        department_q=lambda department_id: _with_open_assignment(department_id, VISIBLE_ASSIGNMENT),
        owner_field="reporter_id",
    )
    return Case.objects.filter(condition).select_related("category", "grid", "owner_area")


#: Statuses in which a case is still being worked on (its deadline colour matters for the leader's to-do list).
STILL_RUNNING = (
    CaseStatus.REPORTED,
    CaseStatus.ACCEPTED,
    CaseStatus.DISPATCHED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.SUSPENDED,
    CaseStatus.REOPENED,
)


class Queue:
    """The tabs of a work queue."""

    TODO = "todo"  # 待办: waiting for this user's action
    DONE = "done"  # 已办: the user acted on it
    DUE_SOON = "due_soon"  # 即将超期
    OVERDUE = "overdue"  # 超期
    ALL = (TODO, DONE, DUE_SOON, OVERDUE)


def _todo_condition(user: Any) -> Q:
    """What waits for each of the user's roles: the center accepts, dispatches, verifies and closes; the grid
    solves or escalates its own cases and checks results; a department signs and resolves its assignments."""
    condition = Q(pk__in=[])
    for grant in grants_of(user):
        if grant.role == Role.DISPATCHER and grant.area_path:
            condition |= Q(
                owner_area__path=grant.area_path,
                status__in=[
                    CaseStatus.REPORTED,
                    CaseStatus.ACCEPTED,
                    CaseStatus.REOPENED,
                    CaseStatus.RESOLVED,
                    CaseStatus.VERIFIED,
                ],
            )
        elif grant.role in (Role.GRID_WORKER, Role.GRID_CHIEF) and grant.area_path:
            condition |= Q(
                owner_area__path__within=grant.area_path,
                owner_area__level="grid",
                status__in=[CaseStatus.ACCEPTED, CaseStatus.REOPENED, CaseStatus.RESOLVED],
            )
        elif grant.role == Role.DEPARTMENT_HANDLER and grant.department_id is not None:
            department_cases = _with_open_assignment(grant.department_id)
            if grant.explicit_area:
                department_cases &= Q(area_path__within=grant.area_path)
            condition |= department_cases & Q(status__in=[CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS])
        elif grant.role == Role.LEADER and grant.area_path:
            # Overdue cases still being worked on (a resolved or closed case keeps the colour it last had); the
            # statuses are listed, not excluded, so that the (alert_level, status) index answers it.
            condition |= Q(
                area_path__startswith=grant.area_path, alert_level=AlertLevel.RED, status__in=STILL_RUNNING
            )
    return condition


def work_queue(user: Any, tab: str) -> QuerySet[Case]:
    """The cases of one tab of the user's queue, urgent and most pressing first."""
    cases = visible_cases(user)
    if tab == Queue.TODO:
        cases = cases.filter(_todo_condition(user))
    elif tab == Queue.DONE:
        cases = cases.filter(pk__in=Case.objects.filter(events__actor=user).values("pk"))
    elif tab == Queue.DUE_SOON:
        cases = cases.filter(alert_level=AlertLevel.YELLOW).exclude(status__in=TERMINAL)
    elif tab == Queue.OVERDUE:
        cases = cases.filter(alert_level=AlertLevel.RED).exclude(status__in=TERMINAL)
    else:
        raise ValueError(f"unknown queue tab {tab!r}")
    return (
        cases.order_by("-priority", "resolve_by", "-reported_at")
        if tab != Queue.DONE
        else cases.order_by("-updated_at")
    )


def queue_counts(user: Any) -> dict[str, int]:
    return {tab: work_queue(user, tab).count() for tab in Queue.ALL}
