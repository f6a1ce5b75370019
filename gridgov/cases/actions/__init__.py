"""Writes of the cases app: the case verbs held by grids and command centers, and the taxonomy.

Every verb is a typed function with a required ``actor``: it checks ``accounts.permissions``, runs in one
transaction, locks the case (``timeline.lock_case``), checks the transition table (``workflow``), appends its
``CaseEvent`` and queues notifications that are delivered after commit. Department verbs (dispatch, sign, return,
resolve, time requests) live in ``dispatch.actions``, the closing of imported history in ``cases.history.actions``;
they use the same mechanics.
"""

from __future__ import annotations

from gridgov.cases.actions.center import (
    accept_case,
    close_case,
    escalate_case,
    merge_case,
    rate_case,
    reject_case,
    resolve_in_grid,
    verify_case,
)
from gridgov.cases.actions.oversight import (
    comment_case,
    reveal_personal_data,
    supervise_case,
    urge_case,
    view_original_photo,
)
from gridgov.cases.actions.report import add_photos, next_case_number, report_case
from gridgov.cases.actions.upkeep import CATEGORY_FIELDS, recompute_provisional, save_category

__all__ = [
    "CATEGORY_FIELDS",
    "accept_case",
    "add_photos",
    "close_case",
    "comment_case",
    "escalate_case",
    "merge_case",
    "next_case_number",
    "rate_case",
    "recompute_provisional",
    "reject_case",
    "report_case",
    "resolve_in_grid",
    "reveal_personal_data",
    "save_category",
    "supervise_case",
    "urge_case",
    "verify_case",
    "view_original_photo",
]
