"""The case verbs at departments: dispatch, reassign, sign, return, resolve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can, require
from gridgov.cases import notices
from gridgov.cases.actions import add_photos
from gridgov.cases.deadlines import sign_deadline
from gridgov.cases.models import Case, CasePhoto
from gridgov.cases.timeline import lock_case, move, record_event, require_holder, require_open, save_case
from gridgov.cases.workflow import Transition
from gridgov.core.scope import Scope
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment, Department

#: Assignments that still give the department the case.
OPEN_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)


# --- Cases at departments ----------------------------------------------------------------------------------------


def _check_departments(case: Case, lead: Department, helpers: list[Department]) -> None:
    errors: dict[str, list[str]] = {}
    for field, departments in (("lead", [lead]), ("helpers", helpers)):
        for department in departments:
            if not department.is_active:
                errors.setdefault(field, []).append(
                    _("%(department)s is inactive.") % {"department": department.name}
                )
            elif not case.area_path.startswith(department.area.path):
                errors.setdefault(field, []).append(
                    _("%(department)s does not serve the place of this case.")
                    % {"department": department.name}
                )
    if any(helper.pk == lead.pk for helper in helpers):
        errors.setdefault("helpers", []).append(_("The lead department cannot also be a helper."))
    if len({helper.pk for helper in helpers}) != len(helpers):
        errors.setdefault("helpers", []).append(_("A helper department is listed twice."))
    if errors:
        raise ValidationError(errors)


def _assign(case: Case, *, actor: User, lead: Department, helpers: list[Department], at: datetime) -> None:
    case.assignments.filter(status__in=OPEN_ASSIGNMENT).update(
        status=AssignmentStatus.CANCELLED, finished_at=at
    )
    sign_by = sign_deadline(at).at
    Assignment.objects.create(
        case=case, department=lead, role=AssignmentRole.LEAD, assigned_by=actor, sign_by=sign_by
    )
    for helper in helpers:
        Assignment.objects.create(
            case=case, department=helper, role=AssignmentRole.HELPER, assigned_by=actor, sign_by=sign_by
        )


def dispatch_case(
    *,
    actor: User,
    case: Case,
    lead: Department,
    helpers: list[Department] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """派遣: give the case to a lead department (主办) and helpers (协办), each with a sign deadline."""
    return _give_to_departments(
        Transition.DISPATCH, actor=actor, case=case, lead=lead, helpers=helpers or [], note=note,
        expected_version=expected_version,
    )  # fmt: skip


def reassign_case(
    *,
    actor: User,
    case: Case,
    lead: Department,
    helpers: list[Department] | None = None,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """改派: the center gives the case to other departments (the current ones are cancelled)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    return _give_to_departments(
        Transition.REASSIGN, actor=actor, case=case, lead=lead, helpers=helpers or [], note=reason.strip(),
        expected_version=expected_version,
    )  # fmt: skip


def _give_to_departments(
    transition: Transition,
    *,
    actor: User,
    case: Case,
    lead: Department,
    helpers: list[Department],
    note: str,
    expected_version: int | None,
) -> Case:
    """Dispatch and reassign: cancel the open assignments, create the new ones, tell the departments."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.DISPATCH_CASE, case)
        _check_departments(case, lead, helpers)
        now = timezone.now()
        move(
            case,
            transition,
            actor=actor,
            note=note,
            data={"lead": lead.code, "helpers": [helper.code for helper in helpers]},
            at=now,
        )
        _assign(case, actor=actor, lead=lead, helpers=helpers, at=now)
        if transition is Transition.DISPATCH:
            case.dispatched_at = now
        save_case(case)
        notices.assigned(actor, case)
    return case


def _own_assignment(actor: User, case: Case, statuses: tuple[str, ...]) -> Assignment:
    """The actor's department's assignment on the case (the lead one first), or PermissionDenied."""
    assignments = case.assignments.filter(status__in=statuses).select_related("department__area")
    for assignment in sorted(assignments, key=lambda item: (item.role != AssignmentRole.LEAD, item.pk)):
        if can(
            actor,
            Verb.HANDLE_CASE,
            Scope(area_path=case.area_path, department_ids=frozenset({assignment.department_id})),
        ):
            return assignment
    raise PermissionDenied(_("Your department holds no open assignment on this case."))


def sign_case(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """签收: a department acknowledges its assignment; the lead's signature puts the case in progress."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.HANDLE_CASE, case)
        assignment = _own_assignment(actor, case, (AssignmentStatus.PENDING,))
        now = timezone.now()
        data = {"department": assignment.department.code, "role": assignment.role}
        if assignment.role == AssignmentRole.LEAD:
            move(case, Transition.SIGN, actor=actor, data=data, at=now)
        else:
            require_open(case)  # the lead's signature is checked by the workflow table; a helper's here
            record_event(case, actor=actor, verb="sign_helper", data=data, at=now)
        assignment.status, assignment.signed_at, assignment.signed_by = AssignmentStatus.SIGNED, now, actor
        assignment.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
        save_case(case)
    return case


def return_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """退回: the lead department says the case is not theirs; it goes back to the center to re-dispatch."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.HANDLE_CASE, case)
        assignment = _own_assignment(actor, case, (AssignmentStatus.PENDING,))
        if assignment.role != AssignmentRole.LEAD:
            raise PermissionDenied(_("Only the lead department can return a case."))
        now = timezone.now()
        move(
            case,
            Transition.RETURN,
            actor=actor,
            note=reason.strip(),
            data={"department": assignment.department.code},
            at=now,
        )
        assignment.status, assignment.finished_at, assignment.note = (
            AssignmentStatus.RETURNED,
            now,
            reason.strip(),
        )
        assignment.save(update_fields=["status", "finished_at", "note", "updated_at"])
        case.assignments.filter(status__in=OPEN_ASSIGNMENT).update(
            status=AssignmentStatus.CANCELLED, finished_at=now
        )
        save_case(case)
        notices.returned(actor, case, reason.strip())
    return case


def resolve_case(
    *, actor: User, case: Case, result: str, photos: Sequence[File] = (), expected_version: int | None = None
) -> Case:
    """办结: the lead department reports the work done (helpers report their part as comments)."""
    if not result.strip():
        raise ValidationError({"result": _("Describe what was done.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.HANDLE_CASE, case)
        assignment = _own_assignment(actor, case, (AssignmentStatus.SIGNED,))
        if assignment.role != AssignmentRole.LEAD:
            raise PermissionDenied(
                _("Only the lead department resolves the case; report your part as a comment.")
            )
        now = timezone.now()
        move(
            case,
            Transition.RESOLVE,
            actor=actor,
            note=result.strip(),
            data={"department": assignment.department.code},
            at=now,
        )
        assignment.status, assignment.finished_at = AssignmentStatus.RESOLVED, now
        assignment.save(update_fields=["status", "finished_at", "updated_at"])
        case.resolution, case.resolved_at = result.strip(), now
        save_case(case)
        add_photos(case=case, actor=actor, files=photos, kind=CasePhoto.KIND_RESULT)
        notices.arrived(actor, case)
    return case
