"""The one permission function: ``can(user, verb, target)``.

Every page, API view and management command asks this module, and list views filter with ``scope_q`` built
from the same policy, so what a user may open and what they see in a list never disagree.

A user holds role grants (``RoleGrant``); each grant has a scope: an area (a grid worker's grid, a grid chief's
village, a dispatcher's command center, a leader's area) or a department (a handler's department, optionally
limited to an area). For each verb the policy says which roles may do it and how their scope must relate to the
target:

* ``ANY``: the role alone suffices (no scope check);
* ``AREA``: the target's area lies in the grant's area (a handler's area is its grant area or its department's);
* ``DEPARTMENT``: the target is assigned to the grant's department (and lies in the grant's area, when set);
* ``OWNER``: the target was reported by / belongs to the user.

Administrators manage base data; they do not read cases or personal data unless they hold another role too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from gridgov.accounts.choices import Role
from gridgov.core.scope import Scope, Scoped


class Verb(StrEnum):
    """Everything a user can be allowed to do."""

    # Base data
    VIEW_AREA = "view_area"
    MANAGE_AREAS = "manage_areas"
    MANAGE_DEPARTMENTS = "manage_departments"
    MANAGE_ROUTING = "manage_routing"
    MANAGE_TAXONOMY = "manage_taxonomy"
    MANAGE_USERS = "manage_users"
    MANAGE_CALENDAR = "manage_calendar"
    VIEW_AUDIT = "view_audit"
    # Cases
    REPORT_CASE = "report_case"
    VIEW_CASE = "view_case"
    ACCEPT_CASE = "accept_case"
    DISPATCH_CASE = "dispatch_case"
    RESOLVE_IN_GRID = "resolve_in_grid"
    ESCALATE_CASE = "escalate_case"
    HANDLE_CASE = "handle_case"
    VERIFY_CASE = "verify_case"
    APPROVE_CASE = "approve_case"
    SUPERVISE_CASE = "supervise_case"
    URGE_CASE = "urge_case"
    RATE_CASE = "rate_case"
    COMMENT_CASE = "comment_case"
    VIEW_PERSONAL_DATA = "view_personal_data"
    VIEW_ANALYSIS = "view_analysis"
    # Participation
    CLAIM_WISH = "claim_wish"


class Rule(StrEnum):
    ANY = "any"
    AREA = "area"
    DEPARTMENT = "department"
    OWNER = "owner"


R = Role
_STAFF_IN_AREA: dict[str, Rule] = {
    R.GRID_WORKER: Rule.AREA,
    R.GRID_CHIEF: Rule.AREA,
    R.DISPATCHER: Rule.AREA,
    R.LEADER: Rule.AREA,
}

#: verb → {role: rule}. A role missing from a verb's entry may not do it.
POLICY: dict[Verb, dict[str, Rule]] = {
    Verb.VIEW_AREA: {
        **_STAFF_IN_AREA,
        R.DEPARTMENT_HANDLER: Rule.AREA,
        R.VOLUNTEER: Rule.AREA,
        R.ADMIN: Rule.ANY,
    },
    Verb.MANAGE_AREAS: {R.ADMIN: Rule.ANY},
    Verb.MANAGE_DEPARTMENTS: {R.ADMIN: Rule.ANY},
    Verb.MANAGE_ROUTING: {R.ADMIN: Rule.ANY, R.DISPATCHER: Rule.AREA},
    Verb.MANAGE_TAXONOMY: {R.ADMIN: Rule.ANY},
    Verb.MANAGE_USERS: {R.ADMIN: Rule.ANY},
    Verb.MANAGE_CALENDAR: {R.ADMIN: Rule.ANY},
    Verb.VIEW_AUDIT: {R.ADMIN: Rule.ANY},
    Verb.REPORT_CASE: {**_STAFF_IN_AREA, R.RESIDENT: Rule.ANY, R.VOLUNTEER: Rule.ANY},
    Verb.VIEW_CASE: {**_STAFF_IN_AREA, R.DEPARTMENT_HANDLER: Rule.DEPARTMENT, R.RESIDENT: Rule.OWNER},
    Verb.ACCEPT_CASE: {R.DISPATCHER: Rule.AREA},
    Verb.DISPATCH_CASE: {R.DISPATCHER: Rule.AREA},
    Verb.RESOLVE_IN_GRID: {R.GRID_WORKER: Rule.AREA, R.GRID_CHIEF: Rule.AREA},
    Verb.ESCALATE_CASE: {R.GRID_WORKER: Rule.AREA, R.GRID_CHIEF: Rule.AREA, R.DISPATCHER: Rule.AREA},
    Verb.HANDLE_CASE: {R.DEPARTMENT_HANDLER: Rule.DEPARTMENT},
    Verb.VERIFY_CASE: {R.GRID_WORKER: Rule.AREA, R.GRID_CHIEF: Rule.AREA, R.DISPATCHER: Rule.AREA},
    Verb.APPROVE_CASE: {R.DISPATCHER: Rule.AREA, R.LEADER: Rule.AREA},
    Verb.SUPERVISE_CASE: {R.LEADER: Rule.AREA},
    Verb.URGE_CASE: {R.DISPATCHER: Rule.AREA, R.LEADER: Rule.AREA},
    Verb.RATE_CASE: {R.RESIDENT: Rule.OWNER, R.DISPATCHER: Rule.AREA},
    Verb.COMMENT_CASE: {**_STAFF_IN_AREA, R.DEPARTMENT_HANDLER: Rule.DEPARTMENT},
    Verb.VIEW_PERSONAL_DATA: {
        R.GRID_WORKER: Rule.AREA,
        R.GRID_CHIEF: Rule.AREA,
        R.DISPATCHER: Rule.AREA,
        R.DEPARTMENT_HANDLER: Rule.DEPARTMENT,
        R.RESIDENT: Rule.OWNER,
    },
    Verb.VIEW_ANALYSIS: {R.GRID_CHIEF: Rule.AREA, R.DISPATCHER: Rule.AREA, R.LEADER: Rule.AREA},
    Verb.CLAIM_WISH: {R.VOLUNTEER: Rule.ANY, R.GRID_WORKER: Rule.AREA},
}


@dataclass(frozen=True)
class GrantScope:
    """A grant reduced to what checks need, loaded once per user object."""

    role: str
    area_path: str  # "" when the grant has no area (for handlers: the department's area)
    department_id: int | None
    explicit_area: bool  # the grant itself names an area (limits a handler's department)


def grants_of(user: Any) -> list[GrantScope]:
    """The user's grants, cached on the user object for the request."""
    cached: list[GrantScope] | None = getattr(user, "_gridgov_grants", None)
    if cached is not None:
        return cached
    grants: list[GrantScope] = []
    if getattr(user, "is_authenticated", False) and user.is_active:
        for grant in user.grants.select_related("area", "department__area"):
            area_path = grant.area.path if grant.area else ""
            if not area_path and grant.department is not None:
                area_path = grant.department.area.path
            grants.append(GrantScope(grant.role, area_path, grant.department_id, grant.area_id is not None))
        if user.is_superuser and not any(g.role == Role.ADMIN for g in grants):
            grants.append(GrantScope(Role.ADMIN, "", None, False))
    user._gridgov_grants = grants
    return grants


def forget_grants(user: Any) -> None:
    """Drop the cached grants (after the user's grants change)."""
    if hasattr(user, "_gridgov_grants"):
        del user._gridgov_grants


def scope_of(target: Scope | Scoped | None) -> Scope | None:
    if target is None or isinstance(target, Scope):
        return target
    return target.permission_scope()


def _matches(rule: Rule, grant: GrantScope, scope: Scope | None, user_id: int) -> bool:
    if rule is Rule.ANY:
        return True
    if scope is None:
        return False
    if rule is Rule.AREA:
        return bool(grant.area_path) and bool(scope.area_path) and scope.area_path.startswith(grant.area_path)
    if rule is Rule.DEPARTMENT:
        if grant.department_id is None or grant.department_id not in scope.department_ids:
            return False
        return not grant.explicit_area or scope.area_path.startswith(grant.area_path)
    if rule is Rule.OWNER:
        return scope.owner_id is not None and scope.owner_id == user_id
    return False


def can(user: Any, verb: Verb, target: Scope | Scoped | None = None) -> bool:
    """May ``user`` do ``verb`` on ``target`` (an area, a department, a case… or nothing for global verbs)?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    policy = POLICY[verb]
    scope = scope_of(target)
    return any(
        (rule := policy.get(grant.role)) is not None and _matches(rule, grant, scope, user.pk)
        for grant in grants_of(user)
    )


def can_somewhere(user: Any, verb: Verb) -> bool:
    """May ``user`` do ``verb`` on at least some target (to decide whether to show a menu or a page at all)?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    policy = POLICY[verb]
    return any(grant.role in policy for grant in grants_of(user))


def require(user: Any, verb: Verb, target: Scope | Scoped | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, verb, target)``."""
    if not can(user, verb, target):
        raise PermissionDenied(_("You are not allowed to do this here."))


def roles_of(user: Any) -> set[str]:
    return {grant.role for grant in grants_of(user)}


def scope_q(
    user: Any,
    verb: Verb,
    *,
    area_path_field: str | None = None,
    department_field: str | None = None,
    department_q: Callable[[int], Q] | None = None,
    owner_field: str | None = None,
) -> Q:
    """A filter selecting the rows ``user`` may ``verb``, by the same policy as ``can``.

    Pass the lookups that lead from the queried model to its area path, its department id(s) and its owner.
    ``department_q`` builds the department condition itself when it is not a plain lookup (e.g. "has an open
    assignment of this department", as a subquery that does not multiply rows). A rule whose lookup is not given
    matches nothing.
    """
    nothing = Q(pk__in=[])
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return nothing
    policy = POLICY[verb]
    result = nothing
    for grant in grants_of(user):
        rule = policy.get(grant.role)
        if rule is None:
            continue
        if rule is Rule.ANY:
            return Q()
        if rule is Rule.AREA and area_path_field and grant.area_path:
            result |= Q(**{f"{area_path_field}__within": grant.area_path})
        elif (
            rule is Rule.DEPARTMENT and (department_field or department_q) and grant.department_id is not None
        ):
            if department_q is not None:
                condition = department_q(grant.department_id)
            else:
                condition = Q(**{f"{department_field}": grant.department_id})
            if grant.explicit_area and area_path_field:
                condition &= Q(**{f"{area_path_field}__within": grant.area_path})
            result |= condition
        elif rule is Rule.OWNER and owner_field:
            result |= Q(**{owner_field: user.pk})
    return result
