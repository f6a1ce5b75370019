"""Coordination (联动指挥): forming and re-forming a case's team with a joint deadline, and a helper's part."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.accounts.selectors import handlers_of
from gridgov.cases import notices
from gridgov.cases.choices import AlertLevel, CaseStatus
from gridgov.cases.deadlines import apply_resolve_deadline, sign_deadline
from gridgov.cases.models import Case
from gridgov.cases.timeline import lock_case, record_event, require_open, save_case
from gridgov.cases.workflow import Transition, target_status
from gridgov.core.exceptions import InvalidTransition
from gridgov.dispatch.actions.handling import OPEN_ASSIGNMENT, _assign, _check_departments, _own_assignment
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment, Department
from gridgov.dispatch.selectors import COORDINABLE, COORDINATE_VERB, Coordinator, coordinator_role
from gridgov.notifications.actions import notify
from gridgov.notifications.choices import NotificationKind

# --- Coordination (联动指挥) ----------------------------------------------------------------------------------------


def coordinate_case(
    *,
    actor: User,
    case: Case,
    lead: Department,
    helpers: list[Department],
    deadline: datetime,
    instruction: str,
    expected_version: int | None = None,
) -> Case:
    """联动指挥: the command center (or a leader of the area) puts several departments on one case, a lead (主办)
    and helpers (协办), with one joint deadline they all work to.

    An accepted or reopened case is dispatched to the team. A dispatched or in-progress case has its team
    re-formed: a department that stays in the same role keeps its assignment (and its signature), new ones are
    added, removed ones are cancelled, and a department whose role changes gets a new assignment in its new role.
    A new lead has to sign for the case, which therefore goes back to "dispatched" until it does.

    The joint deadline becomes the case's explicit resolve deadline (``supervise_by``, the mechanism of a
    supervision order) and the ``due_by`` of every open assignment. One ``coordinate`` row on the timeline; the
    team, the center (when a leader gave the order) and the departments taken off the case are told.
    """
    instruction = instruction.strip()
    errors: dict[str, list[str]] = {}
    if not helpers:
        errors["helpers"] = [
            _(
                "Coordination needs at least one helper department; to give the case to one department, "
                "dispatch it."
            )
        ]
    if deadline <= timezone.now():
        errors["deadline"] = [_("The deadline must lie in the future.")]
    if not instruction:
        errors["instruction"] = [_("Write the coordination instruction.")]
    try:
        _check_departments(case, lead, helpers)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        capacity = coordinator_role(actor, case)
        if capacity is None:
            raise PermissionDenied(_("You are not allowed to do this here."))
        if case.status not in COORDINABLE:
            raise InvalidTransition()
        now = timezone.now()
        before = case.status
        removed: list[Department] = []
        if before in (CaseStatus.ACCEPTED, CaseStatus.REOPENED):
            case.status = target_status(before, Transition.DISPATCH)
            _assign(case, actor=actor, lead=lead, helpers=helpers, at=now)
            case.dispatched_at = now
        else:
            lead_signed, removed = _reform_team(case, actor=actor, lead=lead, helpers=helpers, at=now)
            if not lead_signed:  # a new lead: back to "dispatched" until it signs (改派 of the lead)
                case.status = target_status(before, Transition.REASSIGN)
        team = case.assignments.filter(status__in=OPEN_ASSIGNMENT)
        team.update(due_by=deadline)
        # nobody can sign after the work is due
        team.filter(status=AssignmentStatus.PENDING, sign_by__gt=deadline).update(sign_by=deadline)
        case.supervise_by = deadline
        apply_resolve_deadline(case)
        case.alert_level = AlertLevel.NORMAL
        changed = case.status != before
        record_event(
            case,
            actor=actor,
            verb=COORDINATE_VERB,
            from_status=before if changed else "",
            to_status=case.status if changed else "",
            note=instruction,
            data={
                "lead": lead.code,
                "helpers": [helper.code for helper in helpers],
                "deadline": deadline.isoformat(),
                "removed": [department.code for department in removed],
                "by": str(capacity),
            },
            public=True,
            at=now,
        )
        save_case(case)
        _tell_coordination(
            actor,
            case,
            instruction=instruction,
            deadline=deadline,
            removed=removed,
            tell_center=capacity is Coordinator.LEADER,
        )
    return case


def _reform_team(
    case: Case, *, actor: User, lead: Department, helpers: list[Department], at: datetime
) -> tuple[bool, list[Department]]:
    """Re-form the team of a dispatched case in place (see ``coordinate_case``); a helper whose part is already
    done and who stays a helper is not given the work again. Returns whether the lead has signed for the case,
    and the departments taken off the case."""
    wanted = {helper.pk: AssignmentRole.HELPER for helper in helpers} | {lead.pk: AssignmentRole.LEAD}
    staying: set[int] = set()
    removed: list[Department] = []
    for assignment in case.assignments.filter(status__in=OPEN_ASSIGNMENT).select_related("department"):
        role = wanted.get(assignment.department_id)
        if role == assignment.role:
            staying.add(assignment.department_id)
            continue
        assignment.status, assignment.finished_at = AssignmentStatus.CANCELLED, at
        assignment.save(update_fields=["status", "finished_at", "updated_at"])
        if role is None:
            removed.append(assignment.department)
    finished_parts = case.assignments.filter(role=AssignmentRole.HELPER, status=AssignmentStatus.RESOLVED)
    if case.dispatched_at is not None:
        finished_parts = finished_parts.filter(finished_at__gte=case.dispatched_at)
    staying |= set(finished_parts.values_list("department_id", flat=True)) - {lead.pk}
    sign_by = sign_deadline(at).at
    for department in (lead, *helpers):
        if department.pk not in staying:
            staying.add(department.pk)
            Assignment.objects.create(
                case=case,
                department=department,
                role=wanted[department.pk],
                assigned_by=actor,
                sign_by=sign_by,
            )
    lead_signed = case.assignments.filter(
        department=lead, role=AssignmentRole.LEAD, status=AssignmentStatus.SIGNED
    ).exists()
    return lead_signed, removed


def _tell_coordination(
    actor: User,
    case: Case,
    *,
    instruction: str,
    deadline: datetime,
    removed: list[Department],
    tell_center: bool,
) -> None:
    """The lead is sent to the case, each helper to the page where it reports its part; the departments taken off
    the case learn it (without a link: the case is no longer theirs to open)."""
    values = {"number": case.number, "title": case.title}
    title = _("Coordination order on case %(number)s: %(title)s") % values
    body = _("%(instruction)s\nJoint deadline: %(deadline)s") % {
        "instruction": instruction,
        "deadline": f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}",
    }
    lead_users = notices.handlers_of_case(case, lead_only=True)
    helper_users = [user for user in notices.handlers_of_case(case) if user not in lead_users]

    def send(recipients: Iterable[User], kind: str, link: str) -> None:
        notify(actor=actor, recipients=recipients, kind=kind, title=title, body=body, link=link, target=case)

    send(lead_users, NotificationKind.ASSIGNMENT, notices.case_link(case))
    send(helper_users, NotificationKind.ASSIGNMENT, reverse("dispatch:part", kwargs={"case_id": case.pk}))
    if tell_center:
        send(
            notices.center_staff(case),
            NotificationKind.SUPERVISION,
            reverse("dispatch:coordinate", kwargs={"case_id": case.pk}),
        )
    for department in removed:
        notify(
            actor=actor,
            recipients=handlers_of(department.pk, area_path=case.area_path),
            kind=NotificationKind.ASSIGNMENT,
            title=_("Case %(number)s: your department is no longer on it") % values,
            body=case.title,
            target=case,
        )


def finish_helper_part(*, actor: User, case: Case, note: str, expected_version: int | None = None) -> Case:
    """协办完成: a helper department reports its part of the work done, so that the center and the lead see every
    department's progress side by side. The lead still resolves the case (``resolve_case``).

    A helper that had not signed yet signs with it (helpers added to a case in progress have no separate sign step
    on the case page). The lead department and the center are told.
    """
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Describe what your department did.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.HANDLE_CASE, case)
        require_open(case)
        assignment = _own_assignment(actor, case, OPEN_ASSIGNMENT)
        if assignment.role != AssignmentRole.HELPER:
            raise PermissionDenied(
                _(
                    "Only a helper department reports its part this way; the lead department resolves the case."
                )
            )
        now = timezone.now()
        data = {
            "department": assignment.department.code,
            "signed": assignment.status == AssignmentStatus.PENDING,
        }
        if assignment.status == AssignmentStatus.PENDING:
            assignment.signed_at, assignment.signed_by = now, actor
        assignment.status, assignment.finished_at, assignment.note = AssignmentStatus.RESOLVED, now, note
        assignment.save(
            update_fields=["status", "signed_at", "signed_by", "finished_at", "note", "updated_at"]
        )
        record_event(case, actor=actor, verb="finish_helper", note=note, data=data, at=now)
        save_case(case)
        notify(
            actor=actor,
            recipients=notices.handlers_of_case(case, lead_only=True) + notices.center_staff(case),
            kind=NotificationKind.ASSIGNMENT,
            title=_("Case %(number)s: %(department)s finished its part")
            % {"number": case.number, "department": assignment.department.name},
            body=note,
            link=notices.case_link(case),
            target=case,
        )
    return case
