"""Writes of the dispatch app: departments and routing rules (validated, audited), and the case verbs that
happen at departments: dispatch, reassign, coordinate (联动指挥), sign, return, resolve, a helper's part,
extension and suspension requests."""

from __future__ import annotations

from gridgov.dispatch.actions.clock import decide_time_request, request_time, resume_case
from gridgov.dispatch.actions.coordination import coordinate_case, finish_helper_part
from gridgov.dispatch.actions.handling import (
    OPEN_ASSIGNMENT,
    dispatch_case,
    reassign_case,
    resolve_case,
    return_case,
    sign_case,
)
from gridgov.dispatch.actions.rules import (
    DEPARTMENT_FIELDS,
    delete_routing_rule,
    save_department,
    save_routing_rule,
    validate_rule,
)

__all__ = [
    "DEPARTMENT_FIELDS",
    "OPEN_ASSIGNMENT",
    "coordinate_case",
    "decide_time_request",
    "delete_routing_rule",
    "dispatch_case",
    "finish_helper_part",
    "reassign_case",
    "request_time",
    "resolve_case",
    "resume_case",
    "return_case",
    "save_department",
    "save_routing_rule",
    "sign_case",
    "validate_rule",
]
