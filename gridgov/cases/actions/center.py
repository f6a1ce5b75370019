"""The verbs of the grids and command centers that move a case: accept, reject, merge, escalate, resolve in the
grid, verify, rate, close."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases import notices
from gridgov.cases.actions.report import _center_above, _level_of, _start_clock, add_photos
from gridgov.cases.choices import AlertLevel, OwnerLevel, Satisfaction
from gridgov.cases.deadlines import accept_deadline
from gridgov.cases.models import Case, CasePhoto, Category
from gridgov.cases.timeline import lock_case, move, record_event, require_holder, save_case
from gridgov.cases.workflow import Transition
from gridgov.core.exceptions import InvalidTransition
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus


def accept_case(
    *,
    actor: User,
    case: Case,
    category: Category | None = None,
    request_type: str | None = None,
    priority: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """受理/立案: the center registers the case with its category; the resolve clock starts."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ACCEPT_CASE, case)
        category = category or case.category
        if category is None:
            raise ValidationError({"category": _("Choose the category before accepting.")})
        if request_type is not None:
            case.request_type = request_type
        if priority is not None:
            case.priority = priority
        now = timezone.now()
        move(case, Transition.ACCEPT, actor=actor, note=note, data={"category": category.code}, at=now)
        if case.category_id != category.pk:
            record_event(
                case,
                actor=actor,
                verb="categorise",
                data={"from": case.category.code if case.category else None, "to": category.code},
                at=now,
            )
        case.category = category
        case.accepted_at = now
        case.alert_level = AlertLevel.NORMAL
        _start_clock(case, now)
        save_case(case)
    return case


def reject_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """不予受理: not a matter for the platform (reason required, shown to the reporter)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ACCEPT_CASE, case)
        move(case, Transition.REJECT, actor=actor, note=reason.strip())
        case.closed_at = timezone.now()
        save_case(case)
    return case


def merge_case(
    *, actor: User, case: Case, master: Case, note: str = "", expected_version: int | None = None
) -> Case:
    """重复件: the case is the same problem as ``master``; its reporter follows the master from now on."""
    if case.pk == master.pk:
        raise ValidationError({"master": _("A case cannot be merged into itself.")})
    with transaction.atomic():
        first, second = sorted([case.pk, master.pk])  # lock in a fixed order: no deadlock between two merges
        locked = {
            pk: lock_case(pk, expected_version=expected_version if pk == case.pk else None)
            for pk in (first, second)
        }
        case, master = locked[case.pk], locked[master.pk]
        require_holder(actor, Verb.ACCEPT_CASE, case)
        require_holder(actor, Verb.ACCEPT_CASE, master)
        if not master.is_open or master.merged_into_id is not None:
            raise ValidationError({"master": _("The master case must be open.")})
        move(case, Transition.MERGE, actor=actor, note=note, data={"master": master.number})
        case.merged_into = master
        case.closed_at = timezone.now()
        save_case(case)
        record_event(
            master,
            actor=actor,
            verb="duplicate_merged",
            note=note,
            data={"duplicate": case.number, "channel": case.channel},
            public=True,
        )
        save_case(master)
    return case


def escalate_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """上报: what the grid or town cannot solve goes to the parent area's command center, to be accepted there."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ESCALATE_CASE, case)
        center = _center_above(case.owner_area)
        if center is None:
            raise InvalidTransition(_("There is no higher command center to escalate to."))
        before = case.owner_area
        move(
            case,
            Transition.ESCALATE,
            actor=actor,
            note=reason.strip(),
            data={"from": before.code, "to": center.code},
        )
        case.owner_area, case.owner_level = center, _level_of(center)
        now = timezone.now()
        case.accept_by = accept_deadline(now).at
        case.alert_level = AlertLevel.NORMAL
        save_case(case)
        notices.arrived(actor, case)
    return case


def resolve_in_grid(
    *, actor: User, case: Case, result: str, photos: Sequence[File] = (), expected_version: int | None = None
) -> Case:
    """格内化解: the grid worker (or chief) solved it on the spot, with the result and, usually, a photo."""
    if not result.strip():
        raise ValidationError({"result": _("Describe what was done.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.RESOLVE_IN_GRID, case)
        if case.grid is None:
            raise ValidationError({"grid": _("Only a case located in a grid can be resolved in the grid.")})
        now = timezone.now()
        move(case, Transition.RESOLVE_IN_GRID, actor=actor, note=result.strip(), at=now)
        case.resolution, case.resolved_at = result.strip(), now
        case.owner_area, case.owner_level = case.grid, OwnerLevel.GRID
        if case.accepted_at is None:
            case.accepted_at = now
        save_case(case)
        add_photos(case=case, actor=actor, files=photos, kind=CasePhoto.KIND_RESULT)
    return case


def verify_case(
    *, actor: User, case: Case, ok: bool, note: str = "", expected_version: int | None = None
) -> Case:
    """核查: the center or the grid worker checks the result on the spot; not ok sends it back (返工)."""
    if not ok and not note.strip():
        raise ValidationError({"note": _("Say what is still wrong.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.VERIFY_CASE, case)
        if ok:
            move(case, Transition.VERIFY_OK, actor=actor, note=note)
        else:
            lead = case.assignments.filter(role=AssignmentRole.LEAD, status=AssignmentStatus.RESOLVED).first()
            if lead is not None:
                move(case, Transition.VERIFY_REDO, actor=actor, note=note)
                lead.status, lead.finished_at = AssignmentStatus.SIGNED, None
                lead.save(update_fields=["status", "finished_at", "updated_at"])
            else:
                move(case, Transition.REDO_IN_GRID, actor=actor, note=note)
            case.resolved_at = None
        save_case(case)
        if not ok:
            notices.urged(actor, case, note)
    return case


def rate_case(
    *,
    actor: User | None,
    case: Case,
    satisfaction: str,
    comment: str = "",
    by_visit: bool = False,
    expected_version: int | None = None,
) -> Case:
    """回访/评价: the reporter (or a visit operator on the phone) rates the result; dissatisfied reopens (重办).

    ``actor=None`` is the anonymous reporter whom the *caller* has authorised: only
    ``intake.resident.actions.rate_by_secret`` passes it, after checking the resident's tracking secret. The
    timeline row then has no actor, like the anonymous report itself. Every other caller passes the user.
    """
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if actor is None and by_visit:
        raise ValueError("a phone visit (回访) is recorded by a signed-in operator, not anonymously")
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        # The reporter rates their own case; a visit operator (dispatcher) records a phone visit (回访).
        if actor is not None:
            require(actor, Verb.RATE_CASE, case)
        now = timezone.now()
        transition = (
            Transition.RATE_DISSATISFIED
            if satisfaction == Satisfaction.DISSATISFIED
            else Transition.RATE_SATISFIED
        )
        move(
            case,
            transition,
            actor=actor,
            note=comment.strip(),
            data={"satisfaction": satisfaction, "by_visit": by_visit},
            at=now,
        )
        case.satisfaction = satisfaction
        if transition is Transition.RATE_SATISFIED:
            case.closed_at = now
        else:
            case.reopen_count += 1
            case.resolved_at = None
            _start_clock(case, now)
        save_case(case)
        notices.rated(actor, case)
        if transition is Transition.RATE_DISSATISFIED:
            notices.arrived(actor, case)
    return case


def close_case(*, actor: User, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """结案 without a rating (e.g. the reporter could not be reached for the visit)."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ACCEPT_CASE, case)
        move(case, Transition.CLOSE, actor=actor, note=note)
        case.closed_at = timezone.now()
        save_case(case)
    return case
