"""The case page offers a helper department (协办) its own steps: sign for its part while the case is in progress,
and report the part done; the lead department and other departments do not get them."""

from __future__ import annotations

import pytest

from gridgov.cases.page_verbs import PAGE_VERBS, allowed_verbs
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.choices import AssignmentStatus
from gridgov.dispatch.tests.test_coordination import _accepted, _coordinate

pytestmark = pytest.mark.django_db


def _names(user, case) -> set[str]:
    return {verb.name for verb in allowed_verbs(user, case)}


def test_a_helper_signs_and_reports_its_part_from_the_case_page(town):
    case = _coordinate(town, _accepted(town))
    case = dispatch_actions.sign_case(actor=town.handler, case=case)  # the lead signs: in progress
    case.refresh_from_db()

    helper = _names(town.justice_handler, case)
    assert {"sign", "finish_part"} <= helper  # helpers joining a case in progress can still sign
    lead = _names(town.handler, case)
    assert "finish_part" not in lead and "sign" not in lead and "resolve" in lead
    assert not {"sign", "finish_part"} & _names(town.other_handler, case)

    PAGE_VERBS["finish_part"].run(town.justice_handler, case, {"note": "两户已签调解协议"}, None)

    assert case.assignments.get(department=town.justice).status == AssignmentStatus.RESOLVED
    case.refresh_from_db()
    assert "finish_part" not in _names(town.justice_handler, case)  # done: nothing left to report
