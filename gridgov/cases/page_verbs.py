"""The verbs of the staff case pages: which action form each verb uses and which action it calls.

When the user may see a verb (the workflow allows the move, the policy allows the user, verb-specific facts agree)
is ``cases.verbs``'s business: the same rules the API's ``available_actions`` reads. A form posted anyway still
meets the action's own checks.
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
from gridgov.accounts.permissions import roles_of
from gridgov.cases import actions
from gridgov.cases import forms as case_forms
from gridgov.cases.choices import ExtensionStatus
from gridgov.cases.models import Case, TimeRequest
from gridgov.cases.selectors import visible_cases
from gridgov.cases.verbs import allowed_by_policy, permitted_verbs
from gridgov.core.exceptions import Conflict
from gridgov.dispatch import actions as dispatch_actions

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
    """One action form of the detail page: which form it uses and which action it calls. ``name`` is the canonical
    verb of ``cases.verbs``, whose rule says when the user may use it."""

    name: str
    label: Promise
    form_class: type[case_forms.CaseActionForm]
    run: Handler
    done: Promise
    check_version: bool = True  # a stale version is a conflict (not for comments and reminders)
    departments: bool = False  # the form chooses among the departments serving the place
    danger: bool = False
    primary: bool = False  # the step that moves the case on: its form opens by default


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


_VERBS = [
    PageVerb(
        "accept",
        gettext_lazy("Accept"),
        case_forms.AcceptForm,
        _accept,
        gettext_lazy("The case has been accepted."),
        primary=True,
    ),
    PageVerb(
        "dispatch",
        gettext_lazy("Dispatch"),
        case_forms.DispatchForm,
        _dispatch,
        gettext_lazy("The case has been dispatched."),
        departments=True,
        primary=True,
    ),
    PageVerb(
        "sign",
        gettext_lazy("Sign for the case"),
        case_forms.SignForm,
        _sign,
        gettext_lazy("Signed for."),
        primary=True,
    ),
    PageVerb(
        "finish_part",
        gettext_lazy("Report our part done"),
        case_forms.NoteForm,
        _finish_part,
        gettext_lazy("Your department's part has been recorded as done."),
        check_version=False,
        primary=True,
    ),
    PageVerb(
        "resolve",
        gettext_lazy("Resolve"),
        case_forms.ResultForm,
        _resolve,
        gettext_lazy("The case has been resolved."),
        primary=True,
    ),
    PageVerb(
        "verify",
        gettext_lazy("Verify the result"),
        case_forms.VerifyForm,
        _verify,
        gettext_lazy("The check has been recorded."),
        primary=True,
    ),
    PageVerb(
        "rate",
        gettext_lazy("Record the return visit"),
        case_forms.RateForm,
        _rate,
        gettext_lazy("The rating has been recorded."),
        primary=True,
    ),
    PageVerb(
        "resolve_in_grid",
        gettext_lazy("Resolve in the grid"),
        case_forms.ResultForm,
        _resolve_in_grid,
        gettext_lazy("The case has been resolved in the grid."),
        primary=True,
    ),
    PageVerb(
        "close",
        gettext_lazy("Close without a rating"),
        case_forms.NoteForm,
        _close,
        gettext_lazy("The case has been closed."),
    ),
    PageVerb(
        "reassign",
        gettext_lazy("Reassign"),
        case_forms.ReassignForm,
        _reassign,
        gettext_lazy("The case has been reassigned."),
        departments=True,
    ),
    PageVerb(
        "return",
        gettext_lazy("Return: not ours"),
        case_forms.ReasonForm,
        _return,
        gettext_lazy("The case has been returned to the command center."),
        danger=True,
    ),
    PageVerb(
        "escalate",
        gettext_lazy("Escalate to the higher center"),
        case_forms.ReasonForm,
        _escalate,
        gettext_lazy("The case has been escalated."),
    ),
    PageVerb(
        "reject",
        gettext_lazy("Reject"),
        case_forms.ReasonForm,
        _reject,
        gettext_lazy("The case has been rejected."),
        danger=True,
    ),
    PageVerb(
        "merge",
        gettext_lazy("Merge as a duplicate"),
        case_forms.MergeForm,
        _merge,
        gettext_lazy("The case has been merged into the master case."),
        danger=True,
    ),
    PageVerb(
        "request_time",
        gettext_lazy("Ask for more time or to stop the clock"),
        case_forms.TimeRequestForm,
        _request_time,
        gettext_lazy("The request has been sent."),
    ),
    PageVerb(
        "decide_time",
        gettext_lazy("Decide the time request"),
        case_forms.DecideTimeForm,
        _decide_time,
        gettext_lazy("The decision has been recorded."),
        primary=True,
    ),
    PageVerb(
        "resume",
        gettext_lazy("Resume"),
        case_forms.NoteForm,
        _resume,
        gettext_lazy("The clock runs again."),
        primary=True,
    ),
    PageVerb(
        "supervise",
        gettext_lazy("Supervision order"),
        case_forms.SuperviseForm,
        _supervise,
        gettext_lazy("The supervision order has been issued."),
    ),
    PageVerb(
        "urge",
        gettext_lazy("Send a reminder"),
        case_forms.NoteForm,
        _urge,
        gettext_lazy("The reminder has been sent."),
        check_version=False,
    ),
    PageVerb(
        "comment",
        gettext_lazy("Comment"),
        case_forms.CommentForm,
        _comment,
        gettext_lazy("The comment has been added."),
        check_version=False,
    ),
]
PAGE_VERBS: dict[str, PageVerb] = {verb.name: verb for verb in _VERBS}


def permitted(user: User, page_verb: PageVerb, case: Case) -> bool:
    """May the policy let ``user`` post ``page_verb`` on ``case`` at all? (A move the workflow no longer allows is
    then the action's conflict, not a 403.)"""
    return allowed_by_policy(user, page_verb.name, case)


def allowed_verbs(user: User, case: Case) -> list[PageVerb]:
    """The action forms ``user`` may actually use on ``case`` now (``cases.verbs.permitted_verbs``), in the page's
    order."""
    names = set(permitted_verbs(user, case))
    return [page_verb for page_verb in _VERBS if page_verb.name in names]
