"""Writes of imported history: closing a work order that another system already finished, with its own times.

A hotline export (12345) or a town's old register holds work orders that were reported, handled and finished
before they reached the platform. ``intake.imports`` files each row as a case (the report, with the file's
reported time) and, when the row is finished, closes it here in the same transaction: one transition
``reported → closed`` (``workflow.Transition.CLOSE_HISTORICAL``) that stamps the case with the file's times, so
that the handling time (``working_days_taken``), the on-time figures and the command center's indicators count the
work order as it really went, and nobody is notified (old history must not alert anyone). Living cases never
take this path: it is refused unless the case came in through an import and is still waiting for acceptance.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.selectors import may_import
from gridgov.cases.choices import AlertLevel, Channel
from gridgov.cases.deadlines import apply_resolve_deadline
from gridgov.cases.models import Case
from gridgov.cases.timeline import lock_case, move, save_case
from gridgov.cases.workflow import Transition, target_status
from gridgov.core.exceptions import InvalidTransition

#: The channels an imported work order comes in on (``intake.imports.service.IMPORT_CHANNELS``).
IMPORT_CHANNELS = (Channel.IMPORT, Channel.HOTLINE)
#: The key ``intake.imports`` writes in ``Submission.extra`` of every row it imports (row number, file name).
IMPORT_MARK = "import"


def _shown(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _import_origin(case: Case) -> tuple[str, str] | None:
    """``(source, work-order number)`` of a case that came in through an import; None for any other case.

    Read through the case's ``Submission`` (intake's record of how the report arrived): an import marks every row
    it files with ``extra["import"]``, which no other channel writes.
    """
    if case.channel not in IMPORT_CHANNELS:
        return None
    try:
        submission = case.submission
    except ObjectDoesNotExist:
        return None
    if not isinstance(submission.extra, dict) or IMPORT_MARK not in submission.extra:
        return None
    return submission.source, submission.external_id


def _check_times(case: Case, resolved_at: datetime, closed_at: datetime, now: datetime) -> None:
    """reported ≤ resolved ≤ closed ≤ now, or a ``ValidationError`` naming the field and the reason."""
    errors: dict[str, str] = {}
    if resolved_at < case.reported_at:
        errors["resolved_at"] = _(
            "The time resolved (%(resolved)s) is earlier than the time reported (%(reported)s)."
        ) % {"resolved": _shown(resolved_at), "reported": _shown(case.reported_at)}
    elif resolved_at > now:
        errors["resolved_at"] = _("The time resolved (%(time)s) lies in the future.") % {
            "time": _shown(resolved_at)
        }
    if closed_at < resolved_at:
        errors["closed_at"] = _(
            "The time closed (%(closed)s) is earlier than the time resolved (%(resolved)s)."
        ) % {"closed": _shown(closed_at), "resolved": _shown(resolved_at)}
    elif closed_at > now and resolved_at <= now:  # a future resolution is the one mistake to name
        errors["closed_at"] = _("The time closed (%(time)s) lies in the future.") % {
            "time": _shown(closed_at)
        }
    if errors:
        raise ValidationError(errors)


def close_historical(
    *,
    actor: User,
    case: Case,
    resolved_at: datetime,
    closed_at: datetime | None = None,
    result: str,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """历史工单结案: close an imported work order that was finished before the import, with the file's times.

    Allowed to an account that may import work orders into the center holding the case
    (``accounts.selectors.may_import``: a center's dispatchers and leaders), for a case that came in through an
    import and still waits for acceptance. The times must follow each other: reported ≤ ``resolved_at`` ≤
    ``closed_at`` (default: ``resolved_at``) ≤ now.

    The case is stamped as it went in the other system: accepted (registered) when it was reported, the resolve
    clock started then with its category's time limit, resolved at ``resolved_at`` with ``result``, closed at
    ``closed_at``. So its handling time and whether it was resolved on time are computed from the real times
    (docs/indicators.md); its colour stays normal and no deadline alert or notification is sent. One timeline row,
    ``close_historical``, records the file's times and source.
    """
    result = result.strip()
    if timezone.is_naive(resolved_at) or (closed_at is not None and timezone.is_naive(closed_at)):
        raise ValueError("close_historical takes aware datetimes")
    closed_at = closed_at or resolved_at
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        if not may_import(actor, case.owner_area):
            raise PermissionDenied(_("You are not allowed to do this here."))
        origin = _import_origin(case)
        if origin is None:
            raise InvalidTransition(
                _("Only a work order imported from another system can be closed as finished history.")
            )
        target_status(case.status, Transition.CLOSE_HISTORICAL)  # still waiting for acceptance, or refused
        if not result:
            raise ValidationError({"result": _("Describe what was done.")})
        if case.category is None:
            raise ValidationError(
                {
                    "category": _(
                        "Choose the category first: its time limit tells whether the case was resolved on time."
                    )
                }
            )
        _check_times(case, resolved_at, closed_at, timezone.now())
        source, external_id = origin
        move(
            case,
            Transition.CLOSE_HISTORICAL,
            actor=actor,
            note=note.strip(),
            data={
                "source": source,
                "external_id": external_id,
                "category": case.category.code,
                "reported_at": timezone.localtime(case.reported_at).isoformat(),
                "resolved_at": timezone.localtime(resolved_at).isoformat(),
                "closed_at": timezone.localtime(closed_at).isoformat(),
            },
        )
        # The other system registered (受理) the work order when it came in: the file's reported time (often
        # its 受理时间 column) is also its acceptance, and the resolve clock started then.
        case.accepted_at = case.reported_at
        case.clock_started_at = case.reported_at
        case.budget_days = case.category.sla_working_days
        case.suspended_hours = 0
        case.supervise_by = None
        apply_resolve_deadline(case)
        case.resolution = result
        case.resolved_at = resolved_at
        case.closed_at = closed_at
        case.alert_level = AlertLevel.NORMAL
        save_case(case)
    return case
