"""Time on a department's case: extension and suspension requests, their decisions, and resuming."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can, require
from gridgov.cases import notices
from gridgov.cases.choices import AlertLevel, CaseStatus, ExtensionStatus
from gridgov.cases.deadlines import apply_resolve_deadline
from gridgov.cases.models import Case, TimeRequest
from gridgov.cases.timeline import lock_case, move, record_event, save_case
from gridgov.cases.workflow import Transition
from gridgov.core.calendar import working_time_between
from gridgov.core.exceptions import Conflict, InvalidTransition
from gridgov.dispatch.actions.handling import _own_assignment
from gridgov.dispatch.choices import AssignmentStatus


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
