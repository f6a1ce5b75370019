"""Writes of the resident pages that are not a report (reports go through ``intake.actions.submit_report``).

The tracking secret stands in for a login: whoever holds the link the reporter was given may rate the result,
exactly once per verification (the rating moves the case out of "verified").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.crypto import constant_time_compare

from gridgov.accounts.models import User
from gridgov.cases import actions as case_actions
from gridgov.cases.models import Case
from gridgov.intake.models import Submission


def rate_by_secret(
    *, actor: User | None, submission: Submission, secret: str, satisfaction: str, comment: str = ""
) -> Case:
    """评价 from the tracking page: the secret authorises the anonymous reporter.

    ``actor`` is the signed-in user, if any: when that user is the case's reporter account the rating is theirs
    on the timeline; otherwise the row has no actor (the anonymous reporter). Raises ``PermissionDenied`` when
    the secret does not belong to the submission, ``InvalidTransition`` when the case is not awaiting a rating
    and ``ValidationError`` for an unknown satisfaction.
    """
    if not secret or not constant_time_compare(secret, submission.tracking_secret):
        raise PermissionDenied
    case = submission.case
    by = actor if actor is not None and actor.is_authenticated and case.reporter_id == actor.pk else None
    return case_actions.rate_case(actor=by, case=case, satisfaction=satisfaction, comment=comment.strip())
