"""The mechanics every case action shares: lock the row, check the transition, append the event, save.

Actions in ``cases.actions`` and ``dispatch.actions`` call these inside their transaction, so that two people
acting on one case at once are serialised by the row lock: the second sees the first one's result and gets a
clear conflict (``InvalidTransition`` or ``Conflict``), never a lost update or a duplicate event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.workflow import Transition, is_open, target_status
from gridgov.core.calendar import working_days_between
from gridgov.core.exceptions import Conflict, InvalidTransition


def lock_case(case: Case | int, *, expected_version: int | None = None) -> Case:
    """Re-read the case under a row lock (SELECT … FOR UPDATE; SQLite serialises writers by itself).

    ``expected_version`` is the version the user saw; if someone changed the case since, ``Conflict``.
    """
    pk = case.pk if isinstance(case, Case) else case
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "grid", "owner_area")
        .get(pk=pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("Someone else changed this case in the meantime. Reload it and try again."))
    return locked


def require_holder(actor: User, verb: Verb, case: Case) -> None:
    """The actor may ``verb`` the case *and* holds it: a town center cannot act on a case escalated to the
    district, though its area still contains the case."""
    require(actor, verb, case.owner_area)
    require(actor, verb, case)


def require_open(case: Case) -> None:
    if not is_open(case.status):
        raise InvalidTransition(_("The case is finished; it can no longer be changed."))


def record_event(
    case: Case,
    *,
    actor: User | None,
    verb: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one row to the case's timeline."""
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        actor=actor,
        verb=verb,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        public=public,
    )


def move(
    case: Case,
    transition: Transition,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
    at: datetime | None = None,
) -> CaseEvent:
    """Change the status by ``transition`` (or raise ``InvalidTransition``) and record it."""
    before = case.status
    case.status = target_status(before, transition)
    return record_event(
        case,
        actor=actor,
        verb=str(transition),
        from_status=before,
        to_status=case.status,
        note=note,
        data=data,
        public=public,
        at=at,
    )


def save_case(case: Case) -> None:
    """Save a locked case and bump its version (what optimistic checks compare against).

    Also keeps ``working_days_taken`` in step with ``resolved_at`` (the handling time in working days).
    """
    case.version += 1
    case.working_days_taken = (
        round(working_days_between(case.reported_at, case.resolved_at), 3) if case.resolved_at else None
    )
    case.save()
