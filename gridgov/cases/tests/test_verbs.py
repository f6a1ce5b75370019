"""``cases.verbs`` is the one answer to "which verbs may this user perform on this case now": the API's
``available_actions`` and the staff case page's action forms must agree on every user and every stage of a case
(the API's verb names mapped to the canonical ones), so that the two can no longer drift apart."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from gridgov.accounts.choices import Role
from gridgov.cases import actions
from gridgov.cases.api.views import API_VERBS
from gridgov.cases.models import Case, TimeRequest
from gridgov.cases.page_verbs import PAGE_VERBS, allowed_verbs
from gridgov.cases.tests.test_api import _resolved, _signed, _stages, api
from gridgov.cases.verbs import API_ONLY, VERB_RULES, permitted_verbs
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.tests.test_coordination import _accepted, _coordinate
from gridgov.testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _scene(town) -> list[Case]:
    """``test_api._stages`` (a case in every status and the side states), plus a coordinated team in progress
    whose helper has not signed, one whose helper has done its part, and a finished case with a time request
    left pending."""
    coordinated = dispatch_actions.sign_case(actor=town.handler, case=_coordinate(town, _accepted(town)))
    part_done = dispatch_actions.sign_case(actor=town.handler, case=_coordinate(town, _accepted(town)))
    dispatch_actions.finish_helper_part(actor=town.justice_handler, case=part_done, note="两户已签调解协议")
    left_pending = _signed(town)
    dispatch_actions.request_time(
        actor=town.handler, case=left_pending, kind=TimeRequest.KIND_EXTENSION, days=2, reason="等材料"
    )
    left_pending = dispatch_actions.resolve_case(actor=town.handler, case=left_pending, result="已办结")
    left_pending = actions.verify_case(actor=town.dispatcher, case=left_pending, ok=True)
    left_pending = actions.close_case(actor=town.dispatcher, case=left_pending)
    extra = [coordinated, part_done, left_pending, _resolved(town)]
    return [*_stages(town), *(Case.objects.get(pk=case.pk) for case in extra)]


def _page_shown(client, user, case: Case) -> set[str]:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/cases/{case.number}/")
    assert response.status_code == 200, (user.username, case.number)
    return set(
        re.findall(
            r'class="case-action[^"]*" id="action-[\w-]+" data-verb="(\w+)"', response.content.decode()
        )
    )


def test_the_api_and_the_case_page_offer_the_same_verbs(client, town) -> None:
    users = [town.dispatcher, town.district_dispatcher, town.worker, town.other_worker, town.chief, town.handler,
             town.justice_handler, town.other_handler, town.leader, town.resident]  # fmt: skip
    offered: set[str] = set()
    compared = 0
    for case in _scene(town):
        for user in users:
            response = api(user).get(f"/api/v1/cases/{case.number}/")
            if response.status_code != 200:
                continue
            from_api = {API_VERBS[verb] for verb in response.json()["available_actions"]} - API_ONLY
            on_page = {verb.name for verb in allowed_verbs(user, case)}
            assert from_api == on_page, (user.username, case.status, sorted(from_api ^ on_page))
            assert on_page == set(permitted_verbs(user, case)) - API_ONLY
            if user != town.resident:  # residents follow their cases on the resident pages
                assert _page_shown(client, user, case) == on_page, (user.username, case.status)
            offered |= on_page
            compared += 1
    assert compared > 100
    assert offered == set(PAGE_VERBS)  # every page verb was offered to someone somewhere


def test_every_verb_has_one_rule_and_every_name_maps_to_it():
    assert set(PAGE_VERBS) | API_ONLY == set(VERB_RULES)
    assert set(API_VERBS.values()) == set(VERB_RULES)


def test_a_request_left_pending_on_a_finished_case_can_still_be_decided(town):
    """``decide_time_request`` does not require an open case (the page used to hide it, the API offered it)."""
    case = _scene(town)[-2]
    assert case.status == "closed" and case.time_requests.filter(status="pending").exists()
    assert "decide_time" in permitted_verbs(town.dispatcher, case)
    request = case.time_requests.get(status="pending")
    dispatch_actions.decide_time_request(actor=town.dispatcher, request=request, approve=False)
    assert "decide_time" not in permitted_verbs(town.dispatcher, Case.objects.get(pk=case.pk))


def test_a_case_held_by_the_top_center_cannot_be_escalated(town):
    """``escalate_case`` needs a center above the holder (the page used to offer it to the district anyway)."""
    reported = Case.objects.get(pk=_stages(town)[-2].pk)  # escalated to the district
    assert reported.owner_area == town.region.district
    assert "escalate" not in permitted_verbs(town.district_dispatcher, reported)
    assert "escalate" not in {verb.name for verb in allowed_verbs(town.district_dispatcher, reported)}
    assert "accept" in permitted_verbs(town.district_dispatcher, reported)


def test_a_handler_of_both_the_lead_and_a_helper_acts_as_the_lead(town):
    """The actions take the user's lead assignment first (``dispatch.actions.handling._own_assignment``): so do the rules
    (the API used to look at the helper's first and hid return and resolve; the page offered the helper's
    finish_part, which the action then refused)."""
    both = UserFactory(username="both")
    grant(both, Role.DEPARTMENT_HANDLER, department=town.roads)
    grant(both, Role.DEPARTMENT_HANDLER, department=town.justice)
    case = Case.objects.get(pk=_coordinate(town, _accepted(town)).pk)
    assert {"sign", "return", "request_time"} <= set(permitted_verbs(both, case))
    assert "finish_part" not in permitted_verbs(both, case)
    with pytest.raises(PermissionDenied):
        dispatch_actions.finish_helper_part(actor=both, case=case, note="做完了")
    case = dispatch_actions.sign_case(actor=both, case=case)  # the lead's signature
    assert case.status == "in_progress"
    case = Case.objects.get(pk=case.pk)
    assert "resolve" in permitted_verbs(both, case) and "finish_part" not in permitted_verbs(both, case)


def test_a_helper_reports_its_part_through_the_api(town):
    case = dispatch_actions.sign_case(actor=town.handler, case=_coordinate(town, _accepted(town)))
    url = f"/api/v1/cases/{case.number}/finish-part/"
    helper = api(town.justice_handler)
    assert "finish-part" in helper.get(f"/api/v1/cases/{case.number}/").json()["available_actions"]

    assert helper.post(url, {"note": " "}, format="json").status_code == 400
    stale = helper.post(url, {"note": "已调解", "version": case.version - 1}, format="json")
    assert stale.status_code == 409
    assert (
        api(town.handler).post(url, {"note": "已调解"}, format="json").status_code == 403
    )  # the lead resolves

    response = helper.post(url, {"note": "两户已签调解协议", "version": case.version}, format="json")
    assert response.status_code == 200, response.content
    assert "finish-part" not in response.json()["available_actions"]
    justice = next(a for a in response.json()["assignments"] if a["role"] == "helper")
    assert justice["status"] == "resolved"


def test_the_center_or_a_leader_forms_a_team_through_the_api(town):
    """联动指挥 through the API: the holding center's dispatcher or a leader of the area; every error named."""
    case = _accepted(town)
    url = f"/api/v1/cases/{case.number}/coordinate/"
    deadline = "2026-12-10T17:30:00+08:00"
    team = {
        "lead": town.roads.code,
        "helpers": [town.justice.code],
        "deadline": deadline,
        "instruction": "联合处置",
    }
    assert "coordinate" in api(town.leader).get(f"/api/v1/cases/{case.number}/").json()["available_actions"]
    # The grid worker sees the case but forms no team.
    assert (
        "coordinate" not in api(town.worker).get(f"/api/v1/cases/{case.number}/").json()["available_actions"]
    )

    no_helpers = api(town.dispatcher).post(url, {**team, "helpers": []}, format="json")
    assert no_helpers.status_code == 400 and "helpers" in no_helpers.json()["error"]["fields"]
    assert api(town.dispatcher).post(url, {**team, "deadline": "明天"}, format="json").status_code == 400
    assert api(town.worker).post(url, team, format="json").status_code == 403
    stale = api(town.dispatcher).post(url, {**team, "version": case.version - 1}, format="json")
    assert stale.status_code == 409

    response = api(town.leader).post(url, {**team, "version": case.version}, format="json")
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == "dispatched"
    roles = sorted((a["role"], a["department"]) for a in detail["assignments"] if a["status"] == "pending")
    assert [role for role, _department in roles] == ["helper", "lead"]
    assert Case.objects.get(pk=case.pk).events.filter(verb="coordinate").count() == 1
    # Closed: no team any more.
    closed = Case.objects.get(pk=_stages(town)[-1].pk)
    assert closed.status == "closed"
    assert (
        api(town.dispatcher)
        .post(f"/api/v1/cases/{closed.number}/coordinate/", team, format="json")
        .status_code
        == 409
    )
