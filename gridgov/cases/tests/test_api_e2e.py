"""Three origin stories, from the report to the closed case, through the API only.

Each person works with their own signed-in API client, as the pages and the mobile app would: the hotline
operator / dispatcher at the town center (坐席), the grid worker (网格员), the grid chief (网格长), the department
handlers (职能部门), the town leader. Place names are in the texts; the test region's grids stand in for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from gridgov.accounts.choices import Role
from gridgov.dispatch.choices import DepartmentKind
from gridgov.testing.factories import DepartmentFactory, UserFactory, grant

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Desk:
    """One person at their screen: an API client signed in as them."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.client = APIClient()
        self.client.force_login(user)

    def report(self, **body: Any) -> dict[str, Any]:
        response = self.client.post("/api/v1/cases/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    def do(self, number: str, verb: str, **body: Any) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/cases/{number}/{verb}/", body, format="json")
        assert response.status_code == 200, (self.user.username, verb, response.content)
        return response.json()

    def detail(self, number: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/cases/{number}/")
        assert response.status_code == 200, response.content
        return response.json()

    def timeline(self, number: str) -> list[str]:
        response = self.client.get(f"/api/v1/cases/{number}/timeline/")
        assert response.status_code == 200, response.content
        return [event["verb"] for event in response.json()]


@pytest.fixture
def county_roads(town):
    """The district's transport bureau (区交通运输局), which maintains county roads, with one handler."""
    bureau = DepartmentFactory(
        area=town.region.district, name="通州区交通运输局", kind=DepartmentKind.TRANSPORT
    )
    handler = UserFactory(username="county-roads")
    grant(handler, Role.DEPARTMENT_HANDLER, department=bureau)
    return bureau, handler


@pytest.mark.django_db
def test_blind_corner_at_beidu_village_group_22(town, county_roads):
    """A hotline call about a blind corner: returned by the wrong department, extended, rated dissatisfied and
    redone (重办) before the resident is satisfied."""
    bureau, bureau_handler = county_roads
    operator, roads, county = Desk(town.dispatcher), Desk(town.handler), Desk(bureau_handler)
    worker, leader = Desk(town.worker), Desk(town.leader)

    case = operator.report(
        channel="hotline",
        title="北渡村22组路口视线盲区",
        text="北渡村22组路口有房屋遮挡，视线盲区，经常差点撞车，希望装一面凸面镜",
        address="北渡村22组路口",
        grid=town.region.grids[0].code,
        request_type="help",
        reporter_name="王阿姨",
        reporter_phone="13812345678",
    )
    number = case["number"]
    assert case["status"] == "reported" and case["reporter_phone_masked"] == "138****5678"
    assert "accept" in case["available_actions"]

    case = operator.do(number, "accept", category="road", note="属道路交通安全隐患")
    assert case["status"] == "accepted" and case["resolve_by"]

    case = operator.do(number, "dispatch", lead=town.roads.code, version=case["version"])
    assert case["status"] == "dispatched"
    assert "return" in roads.detail(number)["available_actions"]

    # The town's roads office: this is a county road, maintained by the district bureau (wrong department).
    case = roads.do(number, "return", reason="该路段为县道，由区交通运输局管养，非本单位职责")
    assert case["status"] == "accepted"
    assert roads.client.get(f"/api/v1/cases/{number}/").status_code == 404  # no longer theirs

    case = operator.do(number, "dispatch", lead=bureau.code, note="改由区交通运输局办理")
    assert case["status"] == "dispatched"
    assert [(a["department"]["code"], a["status"]) for a in case["assignments"]] == [
        (town.roads.code, "returned"),
        (bureau.code, "pending"),
    ]
    case = county.do(number, "sign")
    assert case["status"] == "in_progress"

    case = county.do(number, "request-extension", days=3, reason="凸面镜需采购，到货需三个工作日")
    assert case["status"] == "in_progress"
    (request,) = case["time_requests"]
    assert request["status"] == "pending" and "decide-request" in leader.detail(number)["available_actions"]
    before = datetime.fromisoformat(case["resolve_by"])
    case = leader.do(number, "decide-request", request=request["id"], approve=True, note="同意延期")
    assert case["time_requests"][0]["status"] == "approved"
    assert datetime.fromisoformat(case["resolve_by"]) > before

    case = county.do(number, "resolve", result="已在路口安装凸面镜一面")
    assert case["status"] == "resolved"
    case = worker.do(number, "verify", ok=True, note="现场查看，凸面镜已安装")
    assert case["status"] == "verified"

    # The phone visit (回访): at night the mirror cannot be seen. Dissatisfied reopens the case (重办).
    case = operator.do(number, "rate", satisfaction="dissatisfied", comment="晚上看不清镜子", by_visit=True)
    assert case["status"] == "reopened" and case["reopen_count"] == 1

    case = operator.do(number, "dispatch", lead=bureau.code, note="重办：夜间仍有盲区，请加装警示设施")
    assert case["status"] == "dispatched"
    case = county.do(number, "sign")
    case = county.do(number, "resolve", result="加装了反光标志和太阳能警示灯")
    assert case["status"] == "resolved"
    case = worker.do(number, "verify", ok=True)
    assert case["status"] == "verified"
    case = operator.do(number, "rate", satisfaction="satisfied", comment="晚上也看得清了", by_visit=True)
    assert case["status"] == "closed" and case["closed_at"] and case["satisfaction"] == "satisfied"
    assert case["available_actions"] == ["comment", "reveal"]

    assert operator.timeline(number) == [
        "report", "accept", "categorise", "dispatch", "return", "dispatch", "sign", "request_extension",
        "decide_extension", "resolve", "verify_ok", "rate_dissatisfied", "dispatch", "sign", "resolve",
        "verify_ok", "rate_satisfied",
    ]  # fmt: skip


@pytest.mark.django_db
def test_land_boundary_quarrel_at_huashijie_village_group_4(town):
    """A grid worker's report the grid cannot settle alone: escalated to the town, the town brings the case down
    to the grid (带案入格), and it is settled in the grid."""
    worker, chief, center, leader = (
        Desk(town.worker),
        Desk(town.chief),
        Desk(town.dispatcher),
        Desk(town.leader),
    )

    case = worker.report(
        channel="grid_worker",
        title="花市街村4组宅基地边界纠纷",
        text="花市街村4组两户村民因宅基地边界争执，多次劝解未果，矛盾有激化苗头",
        address="花市街村4组",
        grid=town.region.grids[0].code,
        category="dispute",
        request_type="help",
    )
    number = case["number"]
    # A grid worker's own report is the grid's to solve first.
    assert case["status"] == "accepted" and case["owner_level"] == "grid"
    assert {"resolve-in-grid", "escalate"} <= set(case["available_actions"])

    case = worker.do(number, "escalate", reason="双方分歧大，网格内无法化解，请镇里协调")
    assert case["status"] == "reported" and case["owner_level"] == "town"
    assert "escalate" not in worker.detail(number)["available_actions"]  # the town holds it now

    case = center.do(number, "accept", note="转镇综治中心、司法所协调")
    assert case["status"] == "accepted" and case["category"]["code"] == "dispute"

    case = leader.do(
        number,
        "comment",
        text="带案入格：镇综治中心、司法所同志到花市街村4组，与网格员一起上门调解",
        public=True,
    )
    assert case["status"] == "accepted"

    assert "resolve-in-grid" in worker.detail(number)["available_actions"]
    case = worker.do(number, "resolve-in-grid", result="在司法所调解员主持下重新丈量边界，双方签订调解协议")
    assert case["status"] == "resolved" and case["owner_level"] == "grid"
    case = chief.do(number, "verify", ok=True, note="协议已签字，界桩已埋设")
    assert case["status"] == "verified"
    case = center.do(number, "rate", satisfaction="satisfied", by_visit=True)
    assert case["status"] == "closed"

    assert center.timeline(number) == [
        "report", "escalate", "accept", "comment", "resolve_in_grid", "verify_ok", "rate_satisfied",
    ]  # fmt: skip


@pytest.mark.django_db
def test_broken_road_at_shixi_community_repaired_overnight(town):
    """An urgent hotline call late in the evening; the road is repaired before the morning rush."""
    clock = [datetime(2026, 5, 13, 22, 10, tzinfo=SHANGHAI)]  # a Wednesday evening

    def at(hour: int, minute: int, *, next_day: bool = False) -> None:
        day = clock[0].date() + timedelta(days=1 if next_day else 0)
        clock[0] = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)

    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock[0]):
        # The night shift signs in (sessions last one 8-hour shift).
        center, roads = Desk(town.dispatcher), Desk(town.handler)
        case = center.report(
            channel="hotline",
            title="石西社区人民路路面塌陷",
            text="石西社区人民路中段路面塌陷一个大坑，夜间车辆经过很危险",
            address="石西社区人民路中段",
            grid=town.region.grids[1].code,
            category="road",
            priority="urgent",
            request_type="tip_off",
            reporter_phone="13900001111",
        )
        number = case["number"]
        assert case["status"] == "reported" and case["priority"] == "urgent"

        at(22, 15)
        case = center.do(number, "accept", priority="urgent")
        assert case["status"] == "accepted"
        at(22, 18)
        case = center.do(number, "dispatch", lead=town.roads.code, note="紧急：连夜设置警示并抢修")
        assert case["status"] == "dispatched"
        at(22, 30)
        case = roads.do(number, "sign")
        assert case["status"] == "in_progress"
        at(5, 40, next_day=True)
        case = roads.do(number, "resolve", result="连夜回填坑洞并铺设沥青，已恢复通行")
        assert case["status"] == "resolved"
        at(7, 30)
        checker = Desk(town.other_worker)  # the grid worker of the community, on the morning round
        case = checker.do(number, "verify", ok=True, note="早高峰前现场查看，路面平整")
        assert case["status"] == "verified"
        at(9, 0)
        center = Desk(town.dispatcher)  # the day shift at the center makes the phone visit
        case = center.do(number, "rate", satisfaction="satisfied", by_visit=True)
        assert case["status"] == "closed"

    reported_at = datetime.fromisoformat(case["reported_at"])
    resolved_at = datetime.fromisoformat(case["resolved_at"])
    assert reported_at.hour == 22 and timedelta(hours=7) < resolved_at - reported_at < timedelta(hours=8)
    assert case["alert_level"] == "normal"
    assert Desk(town.dispatcher).timeline(number) == [
        "report", "accept", "dispatch", "sign", "resolve", "verify_ok", "rate_satisfied",
    ]  # fmt: skip
