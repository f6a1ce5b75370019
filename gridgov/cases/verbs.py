"""Which case verbs a user may perform now: the one table both the staff case page (``page_verbs``) and the API
(``api.views.available_actions``) read, so that the two can never offer different things.

A read (a selector split out of ``selectors.py`` by concept): it mirrors the preconditions of the actions in
``cases.actions`` and ``dispatch.actions`` so that an offered verb does not then fail. The actions still decide:
anything posted anyway meets their own checks. Each rule says

* ``transitions``: the workflow moves of which one must be possible from the case's status (``None``: the verb
  does not move the status; ``open_only`` then says whether the case must still be open);
* ``permissions``: the policy verbs of which the user must hold one on the case (``accounts.permissions.can``
  against ``case.permission_scope()``); ``holder``: on the area that holds the case too
  (``timeline.require_holder``);
* ``condition``: the facts the action checks besides (the user's department's assignment, a pending time
  request, a center to escalate to…).

The names are the canonical verb names; the page uses them as they are, the API maps its own (``resolve-in-grid``,
``request-extension``…) onto them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can
from gridgov.cases.choices import CaseStatus, ExtensionStatus
from gridgov.cases.models import Case
from gridgov.cases.workflow import Transition, available, is_open
from gridgov.core.scope import Scope
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment
from gridgov.dispatch.selectors import may_coordinate
from gridgov.geo.choices import AreaLevel

#: Assignments that still give their department work on the case (``dispatch.actions.OPEN_ASSIGNMENT``).
OPEN_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)


class CaseFacts:
    """What the checks read of one case, each read at most once (from the prefetch cache when there is one)."""

    def __init__(self, case: Case, scope: Scope | None = None) -> None:
        self.case = case
        self._scope = scope

    @cached_property
    def scope(self) -> Scope:
        return self._scope if self._scope is not None else self.case.permission_scope()

    @cached_property
    def possible(self) -> frozenset[Transition]:
        return frozenset(available(self.case.status))

    @cached_property
    def assignments(self) -> list[Assignment]:
        return list(self.case.assignments.all())

    @cached_property
    def has_pending_request(self) -> bool:
        return any(request.status == ExtensionStatus.PENDING for request in self.case.time_requests.all())


def own_assignment(user: User, facts: CaseFacts, statuses: tuple[str, ...]) -> Assignment | None:
    """The user's department's assignment among ``statuses``, the one ``dispatch.actions.handling._own_assignment`` takes:
    the lead one first, then the oldest."""
    case = facts.case
    mine = [
        assignment
        for assignment in facts.assignments
        if assignment.status in statuses
        and can(
            user,
            Verb.HANDLE_CASE,
            Scope(area_path=case.area_path, department_ids=frozenset({assignment.department_id})),
        )
    ]
    return min(mine, key=lambda item: (item.role != AssignmentRole.LEAD, item.pk), default=None)


#: (user, the case's facts) → do the verb-specific facts allow the verb?
Condition = Callable[[User, CaseFacts], bool]


@dataclass(frozen=True)
class VerbRule:
    """When a user may perform one case verb (see the module docstring)."""

    permissions: tuple[Verb, ...]
    transitions: frozenset[Transition] | None = None
    holder: bool = False
    open_only: bool = True
    condition: Condition | None = None


def _lead_assignment(statuses: tuple[str, ...]) -> Condition:
    """The user's assignment among ``statuses`` is the lead one (return, resolve)."""

    def check(user: User, facts: CaseFacts) -> bool:
        assignment = own_assignment(user, facts, statuses)
        return assignment is not None and assignment.role == AssignmentRole.LEAD

    return check


def _can_sign(user: User, facts: CaseFacts) -> bool:
    """The lead's signature moves the case (``sign``); a helper's is a note on the timeline."""
    assignment = own_assignment(user, facts, (AssignmentStatus.PENDING,))
    if assignment is None:
        return False
    return assignment.role != AssignmentRole.LEAD or Transition.SIGN in facts.possible


def _can_finish_part(user: User, facts: CaseFacts) -> bool:
    """``finish_helper_part``: the open assignment the action takes is a helper's (协办)."""
    assignment = own_assignment(user, facts, OPEN_ASSIGNMENT)
    return assignment is not None and assignment.role == AssignmentRole.HELPER


def _can_request_time(user: User, facts: CaseFacts) -> bool:
    return (
        facts.case.status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS)
        and own_assignment(user, facts, OPEN_ASSIGNMENT) is not None
        and not facts.has_pending_request
    )


def _has_pending_request(user: User, facts: CaseFacts) -> bool:
    return facts.has_pending_request


def _has_center_above(user: User, facts: CaseFacts) -> bool:
    """``actions.escalate_case`` needs a town or district center above the area holding the case."""
    node = facts.case.owner_area.parent
    while node is not None:
        if node.level in (AreaLevel.TOWN, AreaLevel.DISTRICT):
            return True
        node = node.parent
    return False


def _in_a_grid(user: User, facts: CaseFacts) -> bool:
    return facts.case.grid_id is not None


def _can_coordinate(user: User, facts: CaseFacts) -> bool:
    """``dispatch.actions.coordinate_case``: the dispatcher of the holding center or a leader of the area, on a
    case that can take a team (accepted, reopened, dispatched, in progress)."""
    return may_coordinate(user, facts.case)


T = Transition
V = Verb
VERB_RULES: dict[str, VerbRule] = {
    "accept": VerbRule((V.ACCEPT_CASE,), frozenset({T.ACCEPT}), holder=True),
    "reject": VerbRule((V.ACCEPT_CASE,), frozenset({T.REJECT}), holder=True),
    "merge": VerbRule((V.ACCEPT_CASE,), frozenset({T.MERGE}), holder=True),
    "resolve_in_grid": VerbRule((V.RESOLVE_IN_GRID,), frozenset({T.RESOLVE_IN_GRID}), condition=_in_a_grid),
    "escalate": VerbRule(
        (V.ESCALATE_CASE,), frozenset({T.ESCALATE}), holder=True, condition=_has_center_above
    ),
    "dispatch": VerbRule((V.DISPATCH_CASE,), frozenset({T.DISPATCH}), holder=True),
    "reassign": VerbRule((V.DISPATCH_CASE,), frozenset({T.REASSIGN}), holder=True),
    "coordinate": VerbRule((V.DISPATCH_CASE, V.SUPERVISE_CASE), condition=_can_coordinate),
    "sign": VerbRule((V.HANDLE_CASE,), condition=_can_sign),
    "finish_part": VerbRule((V.HANDLE_CASE,), condition=_can_finish_part),
    "return": VerbRule(
        (V.HANDLE_CASE,), frozenset({T.RETURN}), condition=_lead_assignment((AssignmentStatus.PENDING,))
    ),
    "resolve": VerbRule(
        (V.HANDLE_CASE,), frozenset({T.RESOLVE}), condition=_lead_assignment((AssignmentStatus.SIGNED,))
    ),
    "request_time": VerbRule((V.HANDLE_CASE,), condition=_can_request_time),
    # ``decide_time_request`` does not ask whether the case is still open: a request left pending on a finished
    # case can still be decided (denied; an approved suspension would be an invalid transition).
    "decide_time": VerbRule((V.APPROVE_CASE,), open_only=False, condition=_has_pending_request),
    "resume": VerbRule((V.APPROVE_CASE, V.HANDLE_CASE), frozenset({T.RESUME})),
    "verify": VerbRule((V.VERIFY_CASE,), frozenset({T.VERIFY_OK})),
    "rate": VerbRule((V.RATE_CASE,), frozenset({T.RATE_SATISFIED})),
    "close": VerbRule((V.ACCEPT_CASE,), frozenset({T.CLOSE}), holder=True),
    "supervise": VerbRule((V.SUPERVISE_CASE,)),
    "urge": VerbRule((V.URGE_CASE,)),
    "comment": VerbRule((V.COMMENT_CASE,), open_only=False),
    "reveal": VerbRule((V.VIEW_PERSONAL_DATA,), open_only=False),
}


#: Verbs the API offers that the staff case page does not show as a form: personal data is revealed with the page's
#: own button, and a team is formed on the coordination page (``/dispatch/coordination/<case>/``).
API_ONLY = frozenset({"reveal", "coordinate"})


def _facts(case: Case | CaseFacts) -> CaseFacts:
    return case if isinstance(case, CaseFacts) else CaseFacts(case)


def allowed_by_policy(user: User, name: str, case: Case | CaseFacts) -> bool:
    """Does the policy let ``user`` do verb ``name`` on the case at all (the 403 part: role, scope, holder)?

    A page that posts a verb the workflow no longer allows should get the action's conflict (409), not a 403;
    this is the check for that gate."""
    facts = _facts(case)
    rule = VERB_RULES[name]
    return any(
        can(user, verb, facts.scope) and (not rule.holder or can(user, verb, facts.case.owner_area))
        for verb in rule.permissions
    )


def may(user: User, name: str, case: Case | CaseFacts) -> bool:
    """May ``user`` perform verb ``name`` on the case now: the workflow allows the move, the policy allows the
    user, and the verb's facts agree?"""
    facts = _facts(case)
    rule = VERB_RULES[name]
    if rule.transitions is not None:
        if not rule.transitions & facts.possible:
            return False
    elif rule.open_only and not is_open(facts.case.status):
        return False
    return allowed_by_policy(user, name, facts) and (rule.condition is None or rule.condition(user, facts))


def permitted_verbs(user: User, case: Case) -> list[str]:
    """The canonical names of the verbs ``user`` may perform on ``case`` now, in the table's order."""
    facts = CaseFacts(case)
    return [name for name in VERB_RULES if may(user, name, facts)]
