"""Writes of the staff intake forms.

The hotline entry calls ``intake.actions.submit_report`` directly. The patrol report may be two steps, a report
and 格内化解 (the worker solved it on the spot), which must succeed or fail together: a worker who ticked
"resolved on the spot" and is told the result is missing must not leave an open case behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.cases import actions as case_actions
from gridgov.intake.actions import Intake, Submitted, submit_report
from gridgov.triage.registry import get_model

#: ``resolve_in_grid``'s error keys → the patrol form's names for them (its photos are the result photos).
_RESOLVE_KEYS = {"photos": "result_photos", "result": "result"}


def submit_patrol_report(
    *,
    actor: User,
    intake: Intake,
    resolved_result: str = "",
    result_photos: Sequence[File] = (),
) -> Submitted:
    """巡查上报: a grid worker's report; with ``resolved_result`` it is resolved in the grid at once (格内化解).

    The report starts accepted and held by the grid (``report_case`` does that for a grid worker's report in a
    grid); ``resolve_in_grid`` then records the result by the same worker. One transaction: if the resolution is
    refused (no grid, not the worker's to resolve, a bad result photo) no case is created.
    """
    if not resolved_result.strip():
        return submit_report(actor=actor, intake=intake)
    # submit_report triages before its own transaction; here it runs inside ours, so load the model first
    # (the very first triage of a process may train it) rather than while holding the write lock.
    get_model()
    with transaction.atomic():
        submitted = submit_report(actor=actor, intake=intake)
        try:
            case_actions.resolve_in_grid(
                actor=actor, case=submitted.case, result=resolved_result, photos=result_photos
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            raise ValidationError(
                {_RESOLVE_KEYS.get(key, key): messages for key, messages in error.message_dict.items()}
            ) from error
        submitted.case.refresh_from_db()
    return submitted
