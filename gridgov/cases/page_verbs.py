"""The verbs of the staff case pages: which action form each verb uses, which action it calls, and when the user
may see it (the workflow allows the move, the policy allows the user, verb-specific facts agree).

The actions decide; this table only mirrors their preconditions so that a page offers the forms a user can actually
use. A form posted anyway still meets the action's own checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can, roles_of
from gridgov.cases import actions
from gridgov.cases import forms as case_forms
from gridgov.cases.choices import CaseStatus, ExtensionStatus
from gridgov.cases.models import Case, TimeRequest
from gridgov.cases.selectors import visible_cases
from gridgov.cases.workflow import Transition, available, is_open
from gridgov.core.exceptions import Conflict
from gridgov.core.scope import Scope
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus

#: Roles that work on cases and see the staff pages (residents and volunteers use the resident pages).
STAFF_ROLES = frozenset(
    {Role.GRID_WORKER, Role.GRID_CHIEF, Role.DISPATCHER, Role.DEPARTMENT_HANDLER, Role.LEADER}
)


def is_staff_user(user: Any) -> bool:
    """Does the user hold a role that works on cases (grid, center, department, leader)?"""
    return bool(getattr(user, "is_authenticated", False) and roles_of(user) & STAFF_ROLES)


Handler = Callable[[User, Case, dict[str, Any], int | None], object]


@dataclass(frozen=True)
class PageVerb:
    """One action form of the detail page: who may see it, which form it uses and which action it calls."""

    name: str
    label: Promise
    form_class: type[case_forms.CaseActionForm]
    permissions: tuple[Verb, ...]
    run: Handler
    done: Promise
    transitions: tuple[Transition, ...] = ()
    holder: bool = False  # the user's center must also hold the case (not just contain its place)
    check_version: bool = True  # a stale version is a conflict (not for comments and reminders)
    open_only: bool = True
    condition: Callable[[User, Case], bool] | None = None
    departments: bool = False  # the form chooses among the departments serving the place
    danger: bool = False
    primary: bool = False  # the step that moves the case on: its form opens by default


def _has_assignment(user: User, case: Case, statuses: tuple[str, ...], *, lead: bool = False) -> bool:
    """Does one of the user's departments hold an assignment of the case in ``statuses``?"""
    for assignment in case.assignments.all():
        if assignment.status not in statuses or (lead and assignment.role != AssignmentRole.LEAD):
            continue
        scope = Scope(area_path=case.area_path, department_ids=frozenset({assignment.department_id}))
        if can(user, Verb.HANDLE_CASE, scope):
            return True
    return False


def _has_helper_assignment(user: User, case: Case, statuses: tuple[str, ...]) -> bool:
    """Does one of the user's departments hold a helper (协办) assignment of the case in ``statuses``?"""
    return any(
        assignment.role == AssignmentRole.HELPER
        and assignment.status in statuses
        and can(
            user,
            Verb.HANDLE_CASE,
            Scope(area_path=case.area_path, department_ids=frozenset({assignment.department_id})),
        )
        for assignment in case.assignments.all()
    )


def pending_request(case: Case) -> TimeRequest | None:
    return case.time_requests.filter(status=ExtensionStatus.PENDING).first()


def _accept(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.accept_case(
        actor=user,
        case=case,
        category=data["category"],
        request_type=data["request_type"],
        priority=data["priority"],
        note=data["note"],
        expected_version=version,
    )


def _reject(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.reject_case(actor=user, case=case, reason=data["reason"], expected_version=version)


def _merge(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    master = visible_cases(user).filter(number=data["master"]).first()
    if master is None:
        raise ValidationError({"master": _("There is no case with this number that you may see.")})
    return actions.merge_case(
        actor=user, case=case, master=master, note=data["note"], expected_version=version
    )


def _escalate(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.escalate_case(actor=user, case=case, reason=data["reason"], expected_version=version)


def _resolve_in_grid(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.resolve_in_grid(
        actor=user, case=case, result=data["result"], photos=data["photos"], expected_version=version
    )


def _dispatch(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.dispatch_case(
        actor=user,
        case=case,
        lead=data["lead"],
        helpers=list(data["helpers"]),
        note=data["note"],
        expected_version=version,
    )


def _reassign(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.reassign_case(
        actor=user,
        case=case,
        lead=data["lead"],
        helpers=list(data["helpers"]),
        reason=data["reason"],
        expected_version=version,
    )


def _sign(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.sign_case(actor=user, case=case, expected_version=version)


def _finish_part(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.finish_helper_part(actor=user, case=case, note=data["note"])


def _return(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.return_case(
        actor=user, case=case, reason=data["reason"], expected_version=version
    )


def _resolve(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.resolve_case(
        actor=user, case=case, result=data["result"], photos=data["photos"], expected_version=version
    )


def _verify(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.verify_case(
        actor=user,
        case=case,
        ok=data["outcome"] == case_forms.VerifyForm.OK,
        note=data["note"],
        expected_version=version,
    )


def _rate(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.rate_case(
        actor=user,
        case=case,
        satisfaction=data["satisfaction"],
        comment=data["comment"],
        by_visit=user.pk != case.reporter_id,
        expected_version=version,
    )


def _close(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.close_case(actor=user, case=case, note=data["note"], expected_version=version)


def _supervise(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.supervise_case(
        actor=user,
        case=case,
        instruction=data["instruction"],
        deadline=data["deadline"],
        expected_version=version,
    )


def _urge(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.urge_case(actor=user, case=case, note=data["note"])


def _comment(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return actions.comment_case(actor=user, case=case, text=data["text"], public=data["public"])


def _request_time(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.request_time(
        actor=user,
        case=case,
        kind=data["kind"],
        reason=data["reason"],
        days=data["days"] or 0,
        expected_version=version,
    )


def _decide_time(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    request = pending_request(case)
    if request is None:
        raise Conflict(_("There is no request waiting for a decision."))
    return dispatch_actions.decide_time_request(
        actor=user,
        request=request,
        approve=data["decision"] == case_forms.DecideTimeForm.APPROVE,
        note=data["note"],
        expected_version=version,
    )


def _resume(user: User, case: Case, data: dict[str, Any], version: int | None) -> object:
    return dispatch_actions.resume_case(actor=user, case=case, note=data["note"])


def _can_request_time(user: User, case: Case) -> bool:
    return (
        case.status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS)
        and _has_assignment(user, case, (AssignmentStatus.PENDING, AssignmentStatus.SIGNED))
        and pending_request(case) is None
    )


T = Transition
_VERBS = [
    PageVerb(
        "accept",
        gettext_lazy("Accept"),
        case_forms.AcceptForm,
        (Verb.ACCEPT_CASE,),
        _accept,
        gettext_lazy("The case has been accepted."),
        transitions=(T.ACCEPT,),
        holder=True,
        primary=True,
    ),
    PageVerb(
        "dispatch",
        gettext_lazy("Dispatch"),
        case_forms.DispatchForm,
        (Verb.DISPATCH_CASE,),
        _dispatch,
        gettext_lazy("The case has been dispatched."),
        transitions=(T.DISPATCH,),
        holder=True,
        departments=True,
        primary=True,
    ),
    PageVerb(
        "sign",
        gettext_lazy("Sign for the case"),
        case_forms.SignForm,
        (Verb.HANDLE_CASE,),
        _sign,
        gettext_lazy("Signed for."),
        condition=lambda user, case: (
            (
                case.status == CaseStatus.DISPATCHED
                and _has_assignment(user, case, (AssignmentStatus.PENDING,))
            )
            or _has_helper_assignment(user, case, (AssignmentStatus.PENDING,))
        ),
        primary=True,
    ),
    PageVerb(
        "finish_part",
        gettext_lazy("Report our part done"),
        case_forms.NoteForm,
        (Verb.HANDLE_CASE,),
        _finish_part,
        gettext_lazy("Your department's part has been recorded as done."),
        condition=lambda user, case: _has_helper_assignment(
            user, case, (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)
        ),
        check_version=False,
        primary=True,
    ),
    PageVerb(
        "resolve",
        gettext_lazy("Resolve"),
        case_forms.ResultForm,
        (Verb.HANDLE_CASE,),
        _resolve,
        gettext_lazy("The case has been resolved."),
        transitions=(T.RESOLVE,),
        condition=lambda user, case: _has_assignment(user, case, (AssignmentStatus.SIGNED,), lead=True),
        primary=True,
    ),
    PageVerb(
        "verify",
        gettext_lazy("Verify the result"),
        case_forms.VerifyForm,
        (Verb.VERIFY_CASE,),
        _verify,
        gettext_lazy("The check has been recorded."),
        transitions=(T.VERIFY_OK,),
        primary=True,
    ),
    PageVerb(
        "rate",
        gettext_lazy("Record the return visit"),
        case_forms.RateForm,
        (Verb.RATE_CASE,),
        _rate,
        gettext_lazy("The rating has been recorded."),
        transitions=(T.RATE_SATISFIED,),
        primary=True,
    ),
    PageVerb(
        "resolve_in_grid",
        gettext_lazy("Resolve in the grid"),
        case_forms.ResultForm,
        (Verb.RESOLVE_IN_GRID,),
        _resolve_in_grid,
        gettext_lazy("The case has been resolved in the grid."),
        transitions=(T.RESOLVE_IN_GRID,),
        condition=lambda user, case: case.grid_id is not None,
        primary=True,
    ),
    PageVerb(
        "close",
        gettext_lazy("Close without a rating"),
        case_forms.NoteForm,
        (Verb.ACCEPT_CASE,),
        _close,
        gettext_lazy("The case has been closed."),
        transitions=(T.CLOSE,),
        holder=True,
    ),
    PageVerb(
        "reassign",
        gettext_lazy("Reassign"),
        case_forms.ReassignForm,
        (Verb.DISPATCH_CASE,),
        _reassign,
        gettext_lazy("The case has been reassigned."),
        transitions=(T.REASSIGN,),
        holder=True,
        departments=True,
    ),
    PageVerb(
        "return",
        gettext_lazy("Return: not ours"),
        case_forms.ReasonForm,
        (Verb.HANDLE_CASE,),
        _return,
        gettext_lazy("The case has been returned to the command center."),
        transitions=(T.RETURN,),
        condition=lambda user, case: _has_assignment(user, case, (AssignmentStatus.PENDING,), lead=True),
        danger=True,
    ),
    PageVerb(
        "escalate",
        gettext_lazy("Escalate to the higher center"),
        case_forms.ReasonForm,
        (Verb.ESCALATE_CASE,),
        _escalate,
        gettext_lazy("The case has been escalated."),
        transitions=(T.ESCALATE,),
        holder=True,
    ),
    PageVerb(
        "reject",
        gettext_lazy("Reject"),
        case_forms.ReasonForm,
        (Verb.ACCEPT_CASE,),
        _reject,
        gettext_lazy("The case has been rejected."),
        transitions=(T.REJECT,),
        holder=True,
        danger=True,
    ),
    PageVerb(
        "merge",
        gettext_lazy("Merge as a duplicate"),
        case_forms.MergeForm,
        (Verb.ACCEPT_CASE,),
        _merge,
        gettext_lazy("The case has been merged into the master case."),
        transitions=(T.MERGE,),
        holder=True,
        danger=True,
    ),
    PageVerb(
        "request_time",
        gettext_lazy("Ask for more time or to stop the clock"),
        case_forms.TimeRequestForm,
        (Verb.HANDLE_CASE,),
        _request_time,
        gettext_lazy("The request has been sent."),
        condition=_can_request_time,
    ),
    PageVerb(
        "decide_time",
        gettext_lazy("Decide the time request"),
        case_forms.DecideTimeForm,
        (Verb.APPROVE_CASE,),
        _decide_time,
        gettext_lazy("The decision has been recorded."),
        condition=lambda user, case: pending_request(case) is not None,
        primary=True,
    ),
    PageVerb(
        "resume",
        gettext_lazy("Resume"),
        case_forms.NoteForm,
        (Verb.APPROVE_CASE, Verb.HANDLE_CASE),
        _resume,
        gettext_lazy("The clock runs again."),
        transitions=(T.RESUME,),
        primary=True,
    ),
    PageVerb(
        "supervise",
        gettext_lazy("Supervision order"),
        case_forms.SuperviseForm,
        (Verb.SUPERVISE_CASE,),
        _supervise,
        gettext_lazy("The supervision order has been issued."),
    ),
    PageVerb(
        "urge",
        gettext_lazy("Send a reminder"),
        case_forms.NoteForm,
        (Verb.URGE_CASE,),
        _urge,
        gettext_lazy("The reminder has been sent."),
        check_version=False,
    ),
    PageVerb(
        "comment",
        gettext_lazy("Comment"),
        case_forms.CommentForm,
        (Verb.COMMENT_CASE,),
        _comment,
        gettext_lazy("The comment has been added."),
        check_version=False,
        open_only=False,
    ),
]
PAGE_VERBS: dict[str, PageVerb] = {verb.name: verb for verb in _VERBS}


def permitted(user: User, page_verb: PageVerb, case: Case) -> bool:
    for verb in page_verb.permissions:
        if page_verb.holder and not can(user, verb, case.owner_area):
            continue
        if can(user, verb, case):
            return True
    return False


def allowed_verbs(user: User, case: Case) -> list[PageVerb]:
    """The action forms ``user`` may actually use on ``case`` now: the workflow allows the move, the policy
    allows the user, and verb-specific facts agree (e.g. the user's department holds the assignment)."""
    possible = set(available(case.status))
    result = []
    for page_verb in _VERBS:
        if page_verb.transitions:
            if not possible.intersection(page_verb.transitions):
                continue
        elif page_verb.open_only and not is_open(case.status):
            continue
        if not permitted(user, page_verb, case):
            continue
        if page_verb.condition is not None and not page_verb.condition(user, case):
            continue
        result.append(page_verb)
    return result
