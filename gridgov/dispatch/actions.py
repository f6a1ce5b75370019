"""Writes of the dispatch app: departments and routing rules (validated, audited), and the case verbs that
happen at departments: dispatch, reassign, coordinate (联动指挥), sign, return, resolve, a helper's part,
extension and suspension requests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can, require
from gridgov.accounts.selectors import handlers_of
from gridgov.cases import notices
from gridgov.cases.actions import add_photos
from gridgov.cases.choices import AlertLevel, CaseStatus, ExtensionStatus
from gridgov.cases.deadlines import apply_resolve_deadline, sign_deadline
from gridgov.cases.models import Case, CasePhoto, Category, TimeRequest
from gridgov.cases.timeline import lock_case, move, record_event, require_holder, require_open, save_case
from gridgov.cases.workflow import Transition, target_status
from gridgov.core.audit import record
from gridgov.core.calendar import working_time_between
from gridgov.core.exceptions import Conflict, InvalidTransition
from gridgov.core.scope import Scope
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment, Department, RoutingRule
from gridgov.dispatch.selectors import COORDINABLE, COORDINATE_VERB, Coordinator, coordinator_role
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.notifications.actions import notify
from gridgov.notifications.choices import NotificationKind

DEPARTMENT_FIELDS = {"name", "kind", "area", "phone", "is_active"}

#: Assignments that still give the department the case.
OPEN_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)


def save_department(
    *, actor: User, code: str, name: str, kind: str, area: Area, phone: str = "", is_active: bool = True
) -> Department:
    """Create or update (by code) a department serving ``area``. Grids are too small to have departments."""
    require(actor, Verb.MANAGE_DEPARTMENTS)
    if area.level == AreaLevel.GRID:
        raise ValidationError(
            {"area": _("A department serves a village, town, district or city, not a grid.")}
        )
    with transaction.atomic():
        department = Department.objects.filter(code=code).first() or Department(code=code)
        created = department.pk is None
        values = {"name": name, "kind": kind, "area_id": area.pk, "phone": phone, "is_active": is_active}
        if not created and all(getattr(department, field) == value for field, value in values.items()):
            return department  # nothing changes: no write, no audit row
        for field, value in values.items():
            setattr(department, field, value)
        department.full_clean()
        department.save()
        record(
            actor=actor,
            verb="create_department" if created else "update_department",
            target=department,
            summary=f"{department.code} {department.name}",
        )
    return department


def validate_rule(*, area: Area | None, lead: Department, helpers: list[Department]) -> None:
    """The lead and every helper must serve the rule's whole area."""
    errors: dict[str, list[str]] = {}
    if area is None:
        if lead.area.parent_id is not None:
            errors.setdefault("lead", []).append(
                _("A rule for everywhere needs a lead department that serves the whole region.")
            )
    elif not lead.area.contains(area):
        errors.setdefault("lead", []).append(
            _("%(department)s does not serve %(area)s.") % {"department": lead.name, "area": area.name}
        )
    for helper in helpers:
        if area is not None and not helper.area.contains(area):
            errors.setdefault("helpers", []).append(
                _("%(department)s does not serve %(area)s.") % {"department": helper.name, "area": area.name}
            )
        if helper.pk == lead.pk:
            errors.setdefault("helpers", []).append(_("The lead department cannot also be a helper."))
    if errors:
        raise ValidationError(errors)


def save_routing_rule(
    *,
    actor: User,
    category: Category,
    area: Area | None,
    lead: Department,
    helpers: list[Department] | None = None,
    note: str = "",
    is_active: bool = True,
) -> RoutingRule:
    """Create or replace the rule for ``category`` in ``area`` (one rule per category and area)."""
    require(actor, Verb.MANAGE_ROUTING, area)
    helpers = helpers or []
    validate_rule(area=area, lead=lead, helpers=helpers)
    with transaction.atomic():
        rule = RoutingRule.objects.filter(category=category, area=area).first() or RoutingRule(
            category=category, area=area
        )
        created = rule.pk is None
        if (
            not created
            and (rule.lead_id, rule.note, rule.is_active) == (lead.pk, note, is_active)
            and {helper.pk for helper in rule.helpers.all()} == {helper.pk for helper in helpers}
        ):
            return rule  # nothing changes: no write, no audit row
        rule.lead, rule.note, rule.is_active = lead, note, is_active
        rule.save()
        rule.helpers.set(helpers)
        record(
            actor=actor,
            verb="create_routing_rule" if created else "update_routing_rule",
            target=rule,
            summary=str(rule),
            data={"lead": lead.code, "helpers": [helper.code for helper in helpers]},
        )
    return rule


def delete_routing_rule(*, actor: User, rule: RoutingRule) -> None:
    require(actor, Verb.MANAGE_ROUTING, rule.area)
    with transaction.atomic():
        summary = str(rule)
        rule.delete()
        record(actor=actor, verb="delete_routing_rule", summary=summary)


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


def request_time(
    *, actor: User, case: Case, kind: str, reason: str, days: int = 0, expected_version: int | None = None
) -> TimeRequest:
    """延期 / 挂账 request by the lead department, decided by the center or a leader."""
    errors: dict[str, str] = {}
    if kind not in (TimeRequest.KIND_EXTENSION, TimeRequest.KIND_SUSPENSION):
        errors["kind"] = _("Unknown kind of request.")
    if kind == TimeRequest.KIND_EXTENSION and not 1 <= days <= 60:
        errors["days"] = _("Ask for 1 to 60 working days.")
    if not reason.strip():
        errors["reason"] = _("Give the reason.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.HANDLE_CASE, case)
        _own_assignment(actor, case, (AssignmentStatus.PENDING, AssignmentStatus.SIGNED))
        if case.status not in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS):
            raise InvalidTransition()
        if case.time_requests.filter(status=ExtensionStatus.PENDING).exists():
            raise Conflict(_("A request on this case is still waiting for a decision."))
        request = TimeRequest.objects.create(
            case=case,
            requested_by=actor,
            kind=kind,
            days=days if kind == TimeRequest.KIND_EXTENSION else 0,
            reason=reason.strip(),
        )
        record_event(
            case,
            actor=actor,
            verb=f"request_{kind}",
            note=reason.strip(),
            data={"days": request.days, "request": request.pk},
        )
        save_case(case)
        notices.time_requested(actor, case, reason.strip())
    return request


def decide_time_request(
    *, actor: User, request: TimeRequest, approve: bool, note: str = "", expected_version: int | None = None
) -> TimeRequest:
    """The center or a leader approves or denies; an approved extension moves the deadline, an approved
    suspension stops the clock (挂账)."""
    with transaction.atomic():
        case = lock_case(request.case_id, expected_version=expected_version)
        require(actor, Verb.APPROVE_CASE, case)
        request = TimeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ExtensionStatus.PENDING:
            raise Conflict(_("This request has already been decided."))
        now = timezone.now()
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        request.decided_by, request.decided_at, request.decision_note = actor, now, note.strip()
        request.save()
        data = {"request": request.pk, "approved": approve, "days": request.days}
        if approve and request.kind == TimeRequest.KIND_SUSPENSION:
            move(case, Transition.SUSPEND, actor=actor, note=note, data=data, at=now)
            case.suspended_at = now
        else:
            record_event(case, actor=actor, verb=f"decide_{request.kind}", note=note, data=data, at=now)
            if approve:
                case.budget_days += request.days
                apply_resolve_deadline(case)
                case.alert_level = AlertLevel.NORMAL
        save_case(case)
        notices.time_decided(actor, case, approve)
    return request


def resume_case(*, actor: User, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """The clock runs again; the working hours the case spent suspended move its deadline."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        if not (can(actor, Verb.APPROVE_CASE, case) or can(actor, Verb.HANDLE_CASE, case)):
            require(actor, Verb.APPROVE_CASE, case)
        now = timezone.now()
        hours = working_time_between(case.suspended_at, now) if case.suspended_at else 0.0
        move(
            case, Transition.RESUME, actor=actor, note=note, data={"suspended_hours": round(hours, 2)}, at=now
        )
        case.suspended_hours += hours
        case.suspended_at = None
        apply_resolve_deadline(case)
        save_case(case)
    return case


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
