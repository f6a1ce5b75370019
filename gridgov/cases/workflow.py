"""The case workflow as a pure transition table: which verb moves a case from which status to which.

No database, no permissions: ``actions.py`` asks ``target_status`` before it changes anything and records the
move in the timeline. Verbs that are not state changes (supervise, urge, comment, extension requests…) are
listed in ``OPEN_VERBS``: allowed while the case is open, status unchanged.

    reported ─accept─▶ accepted ─dispatch─▶ dispatched ─sign─▶ in_progress ─resolve─▶ resolved
       │ reject / merge    │ resolve_in_grid             │ return (→ accepted)   │ suspend ⇄ resume
       ▼                   │ escalate (→ reported at     │ reassign              ▼
    rejected / merged      ▼   the parent center)                    verify ok ─▶ verified ─rate─▶ closed
                        resolved                   verify not ok (返工) ─▶ in_progress (or reopened, if
                                                                          it was resolved in the grid)
                                                 rate dissatisfied ─▶ reopened ─dispatch─▶ dispatched (重办)

    reported ─close_historical─▶ closed: a work order imported from another system's file, already finished
    there, closed at once with the file's times (``cases.history.actions``; the import channel only).
"""

from __future__ import annotations

from enum import StrEnum

from gridgov.cases.choices import CaseStatus as S
from gridgov.core.exceptions import InvalidTransition


class Transition(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    MERGE = "merge"
    RESOLVE_IN_GRID = "resolve_in_grid"
    ESCALATE = "escalate"
    DISPATCH = "dispatch"
    SIGN = "sign"
    RETURN = "return"
    REASSIGN = "reassign"
    SUSPEND = "suspend"
    RESUME = "resume"
    RESOLVE = "resolve"
    VERIFY_OK = "verify_ok"
    VERIFY_REDO = "verify_redo"
    REDO_IN_GRID = "redo_in_grid"
    RATE_SATISFIED = "rate_satisfied"
    RATE_DISSATISFIED = "rate_dissatisfied"
    CLOSE = "close"
    CLOSE_HISTORICAL = "close_historical"


#: verb → (statuses it may start from, status it leads to; None = the status does not change)
TRANSITIONS: dict[Transition, tuple[frozenset[str], str | None]] = {
    Transition.ACCEPT: (frozenset({S.REPORTED}), S.ACCEPTED),
    Transition.REJECT: (frozenset({S.REPORTED, S.ACCEPTED}), S.REJECTED),
    Transition.MERGE: (frozenset({S.REPORTED, S.ACCEPTED}), S.MERGED),
    Transition.RESOLVE_IN_GRID: (frozenset({S.REPORTED, S.ACCEPTED, S.REOPENED}), S.RESOLVED),
    Transition.ESCALATE: (frozenset({S.REPORTED, S.ACCEPTED, S.REOPENED}), S.REPORTED),
    Transition.DISPATCH: (frozenset({S.ACCEPTED, S.REOPENED}), S.DISPATCHED),
    Transition.SIGN: (frozenset({S.DISPATCHED}), S.IN_PROGRESS),
    Transition.RETURN: (frozenset({S.DISPATCHED}), S.ACCEPTED),
    Transition.REASSIGN: (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.DISPATCHED),
    Transition.SUSPEND: (frozenset({S.IN_PROGRESS}), S.SUSPENDED),
    Transition.RESUME: (frozenset({S.SUSPENDED}), S.IN_PROGRESS),
    Transition.RESOLVE: (frozenset({S.IN_PROGRESS}), S.RESOLVED),
    Transition.VERIFY_OK: (frozenset({S.RESOLVED}), S.VERIFIED),
    Transition.VERIFY_REDO: (frozenset({S.RESOLVED}), S.IN_PROGRESS),
    Transition.REDO_IN_GRID: (frozenset({S.RESOLVED}), S.REOPENED),
    Transition.RATE_SATISFIED: (frozenset({S.VERIFIED}), S.CLOSED),
    Transition.RATE_DISSATISFIED: (frozenset({S.VERIFIED}), S.REOPENED),
    Transition.CLOSE: (frozenset({S.VERIFIED}), S.CLOSED),
    Transition.CLOSE_HISTORICAL: (frozenset({S.REPORTED}), S.CLOSED),
}

#: Statuses in which a case is finished: nothing but comments and reads.
TERMINAL: frozenset[str] = frozenset({S.CLOSED, S.REJECTED, S.MERGED})

#: Statuses in which the resolve clock runs (suspension stops it; before acceptance the accept clock runs).
CLOCK_RUNNING: frozenset[str] = frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.REOPENED})

#: Verbs that do not change the status, allowed on any open case.
OPEN_VERBS = frozenset(
    {"supervise", "urge", "comment", "request_extension", "decide_extension", "request_suspension", "reveal"}
)


def can_transition(status: str, verb: Transition) -> bool:
    sources, _ = TRANSITIONS[verb]
    return status in sources


def target_status(status: str, verb: Transition) -> str:
    """The status ``verb`` leads to from ``status``; raises ``InvalidTransition`` when it is not allowed."""
    sources, target = TRANSITIONS[verb]
    if status not in sources:
        raise InvalidTransition()
    return target if target is not None else status


def available(status: str) -> list[Transition]:
    """The transitions possible from ``status`` (before permissions), for pages and the API."""
    return [verb for verb in Transition if status in TRANSITIONS[verb][0]]


def is_open(status: str) -> bool:
    return status not in TERMINAL
