"""The cases API: list and filters, visibility, masking, the error shape, verbs and ``available_actions``.

Cases are set up through the actions (the API's own report and verbs are tested here and end to end in
``test_api_e2e.py``); alert levels are set directly, as the deadline sweep would.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gridgov.cases import actions
from gridgov.cases.api.views import VERBS
from gridgov.cases.choices import AlertLevel, CaseStatus, Channel, Priority, RequestType
from gridgov.cases.models import Case, TimeRequest
from gridgov.dispatch import actions as dispatch_actions
from gridgov.testing.factories import category

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _report(town, grid_index=0, **extra) -> Case:
    values = {
        "actor": town.dispatcher if grid_index < 4 else town.district_dispatcher,
        "channel": Channel.HOTLINE,
        "text": "北渡村22组路口视线盲区，经常差点撞车",
        "grid": town.region.grids[grid_index],
        "reporter_name": "王阿姨",
        "reporter_phone": PHONE,
    }
    values.update(extra)
    return actions.report_case(**values)


def _dispatched(town, **extra) -> Case:
    case = actions.accept_case(actor=town.dispatcher, case=_report(town, **extra), category=category("road"))
    return dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def _fields(response) -> set[str]:
    return set(response.json()["error"]["fields"])


# --- List, pagination, visibility ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_is_paginated(town):
    cases = [_report(town) for _ in range(3)]
    response = api(town.dispatcher).get("/api/v1/cases/", {"page_size": 2})
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    second = api(town.dispatcher).get(body["next"]).json()
    assert {row["number"] for row in body["results"] + second["results"]} == {c.number for c in cases}


@pytest.mark.django_db
def test_a_grid_worker_does_not_see_another_grids_case(town):
    mine, neighbours = _report(town, 0), _report(town, 1)
    assert _numbers(api(town.worker).get("/api/v1/cases/")) == {mine.number}
    assert api(town.worker).get(f"/api/v1/cases/{neighbours.number}/").status_code == 404
    assert api(town.worker).get(f"/api/v1/cases/{neighbours.number}/timeline/").status_code == 404
    assert (
        api(town.worker).post(f"/api/v1/cases/{neighbours.number}/comment/", {"text": "x"}).status_code == 404
    )
    assert api(town.other_worker).get(f"/api/v1/cases/{neighbours.number}/").status_code == 200
    assert api(town.dispatcher).get(f"/api/v1/cases/{neighbours.number}/").status_code == 200


@pytest.mark.django_db
def test_unauthenticated_and_token_auth(town):
    case = _report(town)
    assert api().get("/api/v1/cases/").status_code in (401, 403)
    assert api().get(f"/api/v1/cases/{case.number}/").status_code in (401, 403)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/cases/").status_code in (401, 403)
    token = Token.objects.create(user=town.dispatcher)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert _numbers(client.get("/api/v1/cases/")) == {case.number}
    response = client.post(f"/api/v1/cases/{case.number}/accept/", {"category": "road"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == CaseStatus.ACCEPTED
    # The public taxonomy stays public.
    assert api().get("/api/v1/cases/categories/").status_code == 200
    assert api().get("/api/v1/cases/request-types/").status_code == 200


# --- Filters ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_filters_status_category_area_grid_department(town):
    reported = _report(town, 0)
    dispatched = _dispatched(town)
    in_other_village = actions.accept_case(
        actor=town.dispatcher, case=_report(town, 2), category=category("dispute")
    )
    client = api(town.dispatcher)
    assert _numbers(client.get("/api/v1/cases/", {"status": ["reported", "accepted"]})) == {
        reported.number,
        in_other_village.number,
    }
    assert _numbers(client.get("/api/v1/cases/", {"status": "dispatched"})) == {dispatched.number}
    assert _numbers(client.get("/api/v1/cases/", {"category": "dispute"})) == {in_other_village.number}
    village = town.region.villages[1]
    assert _numbers(client.get("/api/v1/cases/", {"area": village.code})) == {in_other_village.number}
    assert _numbers(client.get("/api/v1/cases/", {"area": town.region.towns[0].code})) == {
        reported.number,
        dispatched.number,
        in_other_village.number,
    }
    assert _numbers(client.get("/api/v1/cases/", {"grid": town.region.grids[2].code})) == {
        in_other_village.number
    }
    assert _numbers(client.get("/api/v1/cases/", {"department": town.roads.code})) == {dispatched.number}
    assert _numbers(client.get("/api/v1/cases/", {"department": town.justice.code})) == set()
    # Unknown codes are errors that name the parameter, not silently empty lists.
    response = client.get("/api/v1/cases/", {"category": "no-such", "area": "000", "status": "lost"})
    assert response.status_code == 400
    assert {"category", "area", "status"} <= _fields(response)


@pytest.mark.django_db
def test_filters_deadlines_and_priority(town):
    red, yellow, calm = _report(town), _report(town), _report(town, priority=Priority.URGENT)
    Case.objects.filter(pk=red.pk).update(alert_level=AlertLevel.RED)  # as the deadline sweep would
    Case.objects.filter(pk=yellow.pk).update(alert_level=AlertLevel.YELLOW)
    client = api(town.dispatcher)
    assert _numbers(client.get("/api/v1/cases/", {"overdue": "true"})) == {red.number}
    assert _numbers(client.get("/api/v1/cases/", {"overdue": "false"})) == {yellow.number, calm.number}
    assert _numbers(client.get("/api/v1/cases/", {"due_soon": "true"})) == {yellow.number}
    assert _numbers(client.get("/api/v1/cases/", {"urgent": "true"})) == {calm.number}
    assert _numbers(client.get("/api/v1/cases/", {"urgent": "false"})) == {red.number, yellow.number}


@pytest.mark.django_db
def test_reported_dates_are_shanghai_days(town):
    late = _report(town, reported_at=datetime(2026, 5, 14, 23, 30, tzinfo=SHANGHAI))  # 15:30 UTC
    early = _report(town, reported_at=datetime(2026, 5, 15, 0, 10, tzinfo=SHANGHAI))  # still 14 May in UTC
    client = api(town.dispatcher)
    assert _numbers(client.get("/api/v1/cases/", {"reported_after": "2026-05-15"})) == {early.number}
    assert _numbers(client.get("/api/v1/cases/", {"reported_before": "2026-05-14"})) == {late.number}
    both = {"reported_after": "2026-05-14", "reported_before": "2026-05-15"}
    assert _numbers(client.get("/api/v1/cases/", both)) == {late.number, early.number}
    response = client.get("/api/v1/cases/", {"reported_after": "15/05/2026"})
    assert response.status_code == 400 and "reported_after" in _fields(response)


@pytest.mark.django_db
def test_filters_channel_request_type_and_queue(town):
    hotline = _report(town, request_type=RequestType.COMPLAINT)
    patrol = actions.report_case(
        actor=town.worker, channel=Channel.GRID_WORKER, text="花市街村4组宅基地边界争执", grid=town.region.grids[0],
        category=category("dispute"),
    )  # fmt: skip
    dispatched = _dispatched(town)
    client = api(town.dispatcher)
    assert _numbers(client.get("/api/v1/cases/", {"channel": "grid_worker"})) == {patrol.number}
    assert _numbers(client.get("/api/v1/cases/", {"request_type": "complaint"})) == {hotline.number}
    # The center's to-do: what it holds and must act on (the grid worker's own case is the grid's).
    assert _numbers(client.get("/api/v1/cases/", {"queue": "todo"})) == {hotline.number}
    assert _numbers(api(town.handler).get("/api/v1/cases/", {"queue": "todo"})) == {dispatched.number}
    assert _numbers(api(town.worker).get("/api/v1/cases/", {"queue": "todo"})) == {patrol.number}
    assert _numbers(client.get("/api/v1/cases/", {"queue": "done"})) == {
        hotline.number,
        dispatched.number,
    }
    assert api(town.dispatcher).get("/api/v1/cases/", {"queue": "later"}).status_code == 400


@pytest.mark.django_db
def test_text_search_in_chinese(town):
    mirror = _report(town, text="北渡村22组路口视线盲区，希望装一面凸面镜")
    road = _report(town, text="石西社区道路塌陷", address="石西社区人民路88号")
    client = api(town.dispatcher)
    assert _numbers(client.get("/api/v1/cases/", {"q": "凸面镜"})) == {mirror.number}
    assert _numbers(client.get("/api/v1/cases/", {"q": "人民路"})) == {road.number}  # the address
    assert _numbers(client.get("/api/v1/cases/", {"q": road.number})) == {road.number}
    assert _numbers(client.get("/api/v1/cases/", {"q": "村"})) == {mirror.number}
    assert _numbers(client.get("/api/v1/cases/", {"q": "无此内容"})) == set()


@pytest.mark.django_db
def test_ordering(town):
    first = _report(town, reported_at=timezone.now() - timedelta(days=2))
    second = _report(town, reported_at=timezone.now() - timedelta(days=1), priority=Priority.URGENT)
    third = _report(town)
    client = api(town.dispatcher)

    def order(param):
        return [row["number"] for row in client.get("/api/v1/cases/", {"ordering": param}).json()["results"]]

    assert order("reported_at") == [first.number, second.number, third.number]
    assert order("-reported_at") == [third.number, second.number, first.number]
    assert order("-priority")[0] == second.number
    assert client.get("/api/v1/cases/").json()["results"][0]["number"] == third.number  # newest first


# --- Report -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_through_the_api(town):
    body = {
        "channel": "hotline",
        "text": "石西社区人民路路面塌陷，车辆无法通行",
        "grid": town.region.grids[0].code,
        "priority": "urgent",
        "category": "road",
        "reporter_name": "李师傅",
        "reporter_phone": "13900001111",
    }
    response = api(town.dispatcher).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    detail = response.json()
    assert detail["status"] == CaseStatus.REPORTED and detail["priority"] == "urgent"
    assert detail["reporter_phone_masked"] == "139****1111" and "13900001111" not in response.content.decode()
    assert "accept" in detail["available_actions"]
    patrol = api(town.worker).post(
        "/api/v1/cases/", {**body, "channel": "grid_worker", "category": "dispute"}, format="json"
    )
    assert patrol.status_code == 201 and patrol.json()["status"] == CaseStatus.ACCEPTED


@pytest.mark.django_db
def test_report_errors_name_the_fields(town):
    client = api(town.dispatcher)
    response = client.post("/api/v1/cases/", {"channel": "web", "text": ""}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid" and {"channel", "text"} <= set(body["fields"])
    response = client.post(
        "/api/v1/cases/", {"channel": "hotline", "text": "路灯不亮", "lat": 32.2}, format="json"
    )
    assert response.status_code == 400 and _fields(response) == {"lon"}
    # Errors found by the action come back the same way.
    response = client.post("/api/v1/cases/", {"channel": "hotline", "text": "路灯不亮"}, format="json")
    assert response.status_code == 400 and _fields(response) == {"address"}
    village = town.region.villages[0].code
    response = client.post(
        "/api/v1/cases/", {"channel": "hotline", "text": "路灯不亮", "grid": village}, format="json"
    )
    assert response.status_code == 400 and _fields(response) == {"grid"}
    # A grid worker may report only in their own grid.
    response = api(town.worker).post(
        "/api/v1/cases/",
        {"channel": "grid_worker", "text": "路灯不亮", "grid": town.region.grids[1].code},
        format="json",
    )
    assert response.status_code == 403


# --- Detail, masking, reveal, timeline ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_phone_is_masked_in_list_and_detail_and_revealed_with_an_event(town):
    case = _report(town)
    client = api(town.dispatcher)
    listed = client.get("/api/v1/cases/")
    detail = client.get(f"/api/v1/cases/{case.number}/")
    for response in (listed, detail):
        assert PHONE not in response.content.decode() and "王阿姨" not in response.content.decode()
    assert detail.json()["reporter_phone_masked"] == "138****5678"
    assert detail.json()["reporter_name_masked"] == "王**"
    assert listed.json()["results"][0]["reporter_phone_masked"] == "138****5678"

    response = client.post(f"/api/v1/cases/{case.number}/reveal/")
    assert response.status_code == 200
    assert response.json() == {"reporter_name": "王阿姨", "reporter_phone": PHONE}
    event = case.events.get(verb="view_personal_data")
    assert event.actor == town.dispatcher and PHONE not in str(event.data)
    # A leader sees the case but not the personal data.
    assert "reveal" not in api(town.leader).get(f"/api/v1/cases/{case.number}/").json()["available_actions"]
    assert api(town.leader).post(f"/api/v1/cases/{case.number}/reveal/").status_code == 403
    assert case.events.filter(verb="view_personal_data").count() == 1


@pytest.mark.django_db
def test_detail_has_assignments_deadlines_and_version(town):
    case = _dispatched(town)
    detail = api(town.dispatcher).get(f"/api/v1/cases/{case.number}/").json()
    assert detail["number"] == case.number and detail["version"] == case.version
    assert detail["category"] == {"code": "road", "name": "道路交通"}
    assert detail["resolve_by"] and detail["accept_by"] and detail["alert_level"] == "normal"
    assert detail["deadline_provisional"] is False
    assert [(a["department"]["code"], a["role"], a["status"]) for a in detail["assignments"]] == [
        (town.roads.code, "lead", "pending")
    ]
    assert detail["owner_area"]["code"] == town.region.towns[0].code


@pytest.mark.django_db
def test_timeline_staff_see_everything_the_reporter_the_public_events(town):
    case = actions.report_case(
        actor=town.resident, channel=Channel.WEB, text="路灯不亮", grid=town.region.grids[0],
        reporter_phone=PHONE,
    )  # fmt: skip
    actions.accept_case(actor=town.dispatcher, case=case, category=category("road"), note="已受理")
    actions.reveal_personal_data(actor=town.dispatcher, case=case)
    staff = api(town.dispatcher).get(f"/api/v1/cases/{case.number}/timeline/").json()
    assert [e["verb"] for e in staff] == ["report", "accept", "categorise", "view_personal_data"]
    accept = staff[1]
    assert accept["verb_label"] == "已受理" and accept["actor"] == town.dispatcher.display_name
    assert (accept["from_status"], accept["to_status"], accept["note"]) == ("reported", "accepted", "已受理")
    assert accept["data"] == {"category": "road"} and accept["at"]
    own = api(town.resident).get(f"/api/v1/cases/{case.number}/timeline/").json()
    assert [e["verb"] for e in own] == ["report", "accept"]


@pytest.mark.django_db
def test_labels_and_errors_follow_accept_language(town):
    case = _report(town)
    client = api(town.dispatcher)
    assert client.get(f"/api/v1/cases/{case.number}/").json()["status_label"] == "待受理"
    english = client.get(f"/api/v1/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["status_label"] == "Awaiting acceptance" and english["category"] is None
    response = client.post(
        f"/api/v1/cases/{case.number}/accept/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["error"]["fields"] == {"category": ["Choose the category before accepting."]}


# --- Verbs: errors ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verb_errors_400_403_409(town):
    case = _report(town)
    client = api(town.dispatcher)
    url = f"/api/v1/cases/{case.number}"
    # 400: the serializer names the field; so does a ValidationError raised by the action.
    response = client.post(f"{url}/accept/", {"category": "no-such"}, format="json")
    assert response.status_code == 400 and _fields(response) == {"category"}
    response = client.post(f"{url}/reject/", {"reason": "   "}, format="json")
    assert response.status_code == 400 and _fields(response) == {"reason"}
    response = client.post(f"{url}/accept/", {}, format="json")  # no category on the case: the action says
    assert response.status_code == 400 and _fields(response) == {"category"}
    # 403: a grid worker cannot accept at the town center.
    response = api(town.worker).post(f"{url}/accept/", {"category": "road"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    # 409: an invalid transition…
    response = client.post(f"{url}/verify/", {"ok": True}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    # … and a stale version.
    stale = case.version
    response = client.post(f"{url}/accept/", {"category": "road", "version": stale}, format="json")
    assert response.status_code == 200 and response.json()["version"] == stale + 1
    response = client.post(f"{url}/dispatch/", {"lead": town.roads.code, "version": stale}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    response = client.post(f"{url}/comment/", {"text": "备注", "version": stale}, format="json")
    assert response.status_code == 409
    # 400 for a department the case's place is not served by (the action's check).
    response = client.post(f"{url}/dispatch/", {"lead": town.other_town_roads.code}, format="json")
    assert response.status_code == 400 and _fields(response) == {"lead"}
    response = client.post(f"{url}/dispatch/", {"lead": "no-such"}, format="json")
    assert response.status_code == 400 and _fields(response) == {"lead"}
    assert list(case.events.values_list("verb", flat=True)) == ["report", "accept", "categorise"]


@pytest.mark.django_db
def test_merge_and_decide_name_their_references(town):
    case, master = _report(town), _report(town)
    client = api(town.dispatcher)
    response = client.post(f"/api/v1/cases/{case.number}/merge/", {"master": "GG-0"}, format="json")
    assert response.status_code == 400 and _fields(response) == {"master"}
    response = client.post(f"/api/v1/cases/{case.number}/merge/", {"master": master.number}, format="json")
    assert response.status_code == 200 and response.json()["status"] == CaseStatus.MERGED
    assert response.json()["merged_into"] == master.number
    response = client.post(
        f"/api/v1/cases/{master.number}/decide-request/", {"request": 999, "approve": True}, format="json"
    )
    assert response.status_code == 400 and _fields(response) == {"request"}


def _png(size: int = 64) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("mirror.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_resolve_with_photos_multipart(town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = dispatch_actions.sign_case(actor=town.handler, case=_dispatched(town))
    url = f"/api/v1/cases/{case.number}/resolve/"
    too_many = {"result": "已安装", "photos": [_png() for _ in range(10)]}
    response = api(town.handler).post(url, too_many, format="multipart")
    assert response.status_code == 400 and _fields(response) == {"photos"}
    not_an_image = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = api(town.handler).post(url, {"result": "已安装", "photos": [not_an_image]}, format="multipart")
    assert response.status_code == 400 and _fields(response) == {"photos"}
    response = api(town.handler).post(
        url, {"result": "已安装凸面镜", "photos": [_png(), _png(80)]}, format="multipart"
    )
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == CaseStatus.RESOLVED and detail["resolution"] == "已安装凸面镜"
    assert [photo["kind"] for photo in detail["photos"]] == ["result", "result"]


# --- available_actions --------------------------------------------------------------------------------------------


def _actions(user, case) -> list[str]:
    response = api(user).get(f"/api/v1/cases/{case.number}/")
    assert response.status_code == 200, (user.username, response.content)
    return response.json()["available_actions"]


@pytest.mark.django_db
def test_available_actions_dispatcher_versus_handler(town):
    case = _report(town)
    assert _actions(town.dispatcher, case) == [
        "accept",
        "reject",
        "merge",
        "escalate",
        "urge",
        "comment",
        "reveal",
    ]
    assert _actions(town.worker, case) == [
        "resolve-in-grid",
        "comment",
        "reveal",
    ]  # not the holder: no escalate
    assert _actions(town.leader, case) == ["supervise", "urge", "comment"]
    case = _dispatched(town)
    assert _actions(town.dispatcher, case) == ["reassign", "coordinate", "urge", "comment", "reveal"]
    assert _actions(town.handler, case) == [
        "sign", "return", "request-extension", "request-suspension", "comment", "reveal",
    ]  # fmt: skip
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    assert _actions(town.handler, case) == [
        "resolve", "request-extension", "request-suspension", "comment", "reveal",
    ]  # fmt: skip
    dispatch_actions.request_time(
        actor=town.handler, case=case, kind=TimeRequest.KIND_EXTENSION, days=2, reason="等材料"
    )
    assert _actions(town.handler, case) == ["resolve", "comment", "reveal"]
    assert _actions(town.dispatcher, case) == [
        "reassign",
        "coordinate",
        "decide-request",
        "urge",
        "comment",
        "reveal",
    ]


def _payload(verb: str, town, case: Case, spare: Case) -> dict:
    request = case.time_requests.filter(status="pending").first()
    return {
        "accept": {"category": "road"},
        "reject": {"reason": "不属于受理范围"},
        "merge": {"master": spare.number},
        "resolve-in-grid": {"result": "已化解"},
        "escalate": {"reason": "需上级协调"},
        "dispatch": {"lead": town.roads.code},
        "reassign": {"lead": town.justice.code, "reason": "改派"},
        "coordinate": {
            "lead": town.roads.code,
            "helpers": [town.justice.code],
            "deadline": (timezone.now() + timedelta(days=5)).isoformat(),
            "instruction": "联合处置",
        },
        "sign": {},
        "finish-part": {"note": "本部门部分已完成"},
        "return": {"reason": "非本部门职责"},
        "resolve": {"result": "已办结"},
        "request-extension": {"days": 2, "reason": "等材料"},
        "request-suspension": {"reason": "等天晴"},
        "decide-request": {"request": request.pk if request else 0, "approve": False},
        "resume": {},
        "verify": {"ok": True},
        "rate": {"satisfaction": "satisfied"},
        "close": {},
        "supervise": {
            "instruction": "尽快办理",
            "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        "urge": {"note": "请尽快"},
        "comment": {"text": "备注"},
    }[verb]


class _Undo(Exception):
    pass


def _accepted(town) -> Case:
    return actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))


def _signed(town) -> Case:
    return dispatch_actions.sign_case(actor=town.handler, case=_dispatched(town))


def _resolved(town) -> Case:
    return dispatch_actions.resolve_case(actor=town.handler, case=_signed(town), result="已办结")


def _verified(town) -> Case:
    return actions.verify_case(actor=town.dispatcher, case=_resolved(town), ok=True)


def _stages(town) -> list[Case]:
    """A case in every status a verb can start from, and the side states (pending request, escalated…)."""
    patrol = actions.report_case(
        actor=town.worker, channel=Channel.GRID_WORKER, text="花市街村4组宅基地争执", grid=town.region.grids[0],
        category=category("dispute"),
    )  # fmt: skip
    dispatched_with_helper = dispatch_actions.dispatch_case(
        actor=town.dispatcher, case=_accepted(town), lead=town.roads, helpers=[town.justice]
    )
    asked = _signed(town)
    dispatch_actions.request_time(
        actor=town.handler, case=asked, kind=TimeRequest.KIND_SUSPENSION, reason="雨"
    )
    suspended = _signed(town)
    request = dispatch_actions.request_time(
        actor=town.handler, case=suspended, kind=TimeRequest.KIND_SUSPENSION, reason="雨"
    )
    dispatch_actions.decide_time_request(actor=town.dispatcher, request=request, approve=True)
    reopened = actions.rate_case(actor=town.dispatcher, case=_verified(town), satisfaction="dissatisfied")
    escalated = actions.escalate_case(actor=town.dispatcher, case=_report(town), reason="需区协调")
    closed = actions.close_case(actor=town.dispatcher, case=_verified(town))
    stages = [
        _report(town), patrol, _accepted(town), _dispatched(town), dispatched_with_helper, _signed(town), asked,
        suspended, _resolved(town), _verified(town), reopened, escalated, closed,
    ]  # fmt: skip
    return [Case.objects.get(pk=case.pk) for case in stages]


@pytest.mark.django_db
def test_every_listed_action_succeeds(town):
    """``available_actions`` never lists a verb that would then fail: each listed verb, tried and rolled back,
    answers 200 (for every user and a case in every stage)."""
    spare = _report(town)
    users = [town.dispatcher, town.district_dispatcher, town.worker, town.other_worker, town.chief, town.handler,
             town.justice_handler, town.other_handler, town.leader]  # fmt: skip
    tried = set()
    for case in _stages(town):
        for user in users:
            if api(user).get(f"/api/v1/cases/{case.number}/").status_code != 200:
                continue
            for verb in _actions(user, case):
                if verb == "reveal":
                    continue
                try:
                    with transaction.atomic():
                        response = api(user).post(
                            f"/api/v1/cases/{case.number}/{verb}/",
                            _payload(verb, town, case, spare),
                            format="json",
                        )
                        assert response.status_code == 200, (
                            verb,
                            user.username,
                            case.status,
                            response.content,
                        )
                        tried.add(verb)
                        raise _Undo
                except _Undo:
                    pass
    assert tried == set(VERBS)  # every verb was offered to someone somewhere


@pytest.mark.django_db
def test_list_and_detail_queries_do_not_grow_with_the_data(town, django_assert_max_num_queries):
    for _ in range(5):
        _dispatched(town)
    client = api(town.dispatcher)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 5
    number = Case.objects.first().number
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/cases/{number}/").status_code == 200


@pytest.mark.django_db
def test_a_hotline_report_with_a_photo(town, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from rest_framework.test import APIClient

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "JPEG")
    client = APIClient()
    client.force_authenticate(town.dispatcher)
    response = client.post(
        "/api/v1/cases/",
        {
            "channel": "hotline",
            "text": "来电人反映路灯不亮",
            "grid": town.region.grids[0].code,
            "photos": [SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["photos"]) == 1
