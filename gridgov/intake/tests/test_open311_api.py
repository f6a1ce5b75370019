"""The GeoReport v2 server through Django's test client: discovery, services, POST with attributes, tokens, the
request lists, every error path in JSON and XML, privacy of the public lists, and the query budget."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.cases.actions import accept_case, report_case
from gridgov.cases.choices import CaseStatus, Channel, RequestType
from gridgov.cases.models import Case, Category
from gridgov.dispatch.actions import dispatch_case
from gridgov.intake.keys import issue_api_key, update_api_key
from gridgov.intake.models import Submission
from gridgov.testing.factories import DepartmentFactory, RegionTree, UserFactory, category, grant

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
IN_TOWN1 = {"lat": "32.205", "long": "120.905"}  # region.grids[0]
IN_TOWN2 = {"lat": "32.205", "long": "121.005"}  # region.grids[4]
OUTSIDE = {"lat": "31.0", "long": "119.0"}
FORMATS = ["json", "xml"]


# --- helpers -------------------------------------------------------------------------------------------------------


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's answer in a test


def errors_of(response: Any, fmt: str) -> list[tuple[int, str]]:
    """The (code, description) pairs of an error answer, checking the spec's shape on the way."""
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        body = json.loads(response.content)
        assert isinstance(body, list) and body
        return [(item["code"], item["description"]) for item in body]
    assert response["Content-Type"].startswith("text/xml")
    root = parse_xml(response.content)
    assert root.tag == "errors"
    return [(int(e.findtext("code") or 0), e.findtext("description") or "") for e in root.findall("error")]


def assert_error(response: Any, fmt: str, status: int, *words: str) -> None:
    assert response.status_code == status, response.content
    found = errors_of(response, fmt)
    assert all(code == status for code, _ in found)
    text = " ".join(description for _, description in found)
    for word in words:
        assert word in text, text


def items(response: Any, fmt: str) -> list[dict[str, Any]]:
    """A list answer (requests, services) as dicts of text, whatever the format."""
    assert response.status_code in (200, 201), response.content
    if fmt == "json":
        return json.loads(response.content)
    root = parse_xml(response.content)
    return [{child.tag: child.text for child in item} for item in root]


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def system():
    return ensure_system_user()


@pytest.fixture
def api_key(region: RegionTree, system) -> str:
    return issue_api_key(actor=system, name="街道App", contact="运维 0513-1234567")[1]


@pytest.fixture
def town1_key(region: RegionTree, system) -> str:
    return issue_api_key(actor=system, name="town1-app", jurisdiction=region.towns[0])[1]


def post(client, fmt: str = "json", **params: Any):
    return client.post(f"{BASE}/requests.{fmt}", params, HTTP_ACCEPT_LANGUAGE="en")


def road_report(key: str, **extra: Any) -> dict[str, Any]:
    return {
        "api_key": key,
        "service_code": "road",
        **IN_TOWN1,
        "attribute[road_issue]": "pothole",
        "description": "路面有个大坑，车辆绕行",
        **extra,
    }


def make_case(
    region: RegionTree, *, grid: int = 0, text: str = "路灯坏了", days_ago: float = 0, **extra: Any
):
    lat, lon = (32.205, 120.905 + 0.01 * grid) if grid < 4 else (32.205, 121.005 + 0.01 * (grid - 4))
    extra.setdefault("category", category("road"))
    return report_case(
        actor=None,
        channel=Channel.WEB,
        text=text,
        lat=lat,
        lon=lon,
        reported_at=timezone.now() - timedelta(days=days_ago),
        **extra,
    )


# --- discovery and services ----------------------------------------------------------------------------------------


def test_discovery_json_lists_the_endpoint_and_the_jurisdictions(client, region):
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200
    body = json.loads(response.content)
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    assert {j["jurisdiction_id"] for j in body["jurisdictions"]} == {"320612", "320612100", "320612101"}
    assert body["key_service"]


def test_discovery_xml_uses_the_spec_element_names(client, region):
    root = parse_xml(client.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/type") == "production"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]
    assert root.find("jurisdictions/jurisdiction/jurisdiction_id") is not None
    # /open311/v2/ itself answers the discovery document.
    assert json.loads(client.get(f"{BASE}/").content)["changeset"] == root.findtext("changeset")


def test_services_are_the_active_categories_in_chinese_by_default(client, region):
    Category.objects.filter(code="education").update(is_active=False)
    response = client.get(f"{BASE}/services.json")
    assert response["Content-Language"] == "zh-hans"
    services = {s["service_code"]: s for s in json.loads(response.content)}
    assert "education" not in services
    road = services["road"]
    assert road["service_name"] == "道路交通"
    assert road["metadata"] is True and road["type"] == "realtime"
    assert road["group"] == "基础设施"
    assert "坑洼" in road["keywords"]
    assert road["description"].startswith(Category.objects.get(code="road").scope_in[:10])


@pytest.mark.parametrize("how", ["locale", "accept-language"])
def test_services_in_english(client, region, how):
    if how == "locale":
        response = client.get(f"{BASE}/services.xml", {"locale": "en"})
    else:
        response = client.get(f"{BASE}/services.xml", HTTP_ACCEPT_LANGUAGE="en")
    root = parse_xml(response.content)
    assert root.tag == "services"
    road = next(s for s in root.findall("service") if s.findtext("service_code") == "road")
    assert road.findtext("service_name") == "Roads and traffic"
    assert road.findtext("group") == "Infrastructure"
    assert road.findtext("metadata") == "true"
    assert response["Content-Language"] == "en"


def test_service_definition_json(client, region):
    body = json.loads(client.get(f"{BASE}/services/safety.json", {"locale": "en"}).content)
    assert body["service_code"] == "safety"
    attributes = {a["code"]: a for a in body["attributes"]}
    request_type = attributes["request_type"]
    assert request_type["order"] == 1 and request_type["datatype"] == "singlevaluelist"
    assert request_type["required"] is False
    assert [v["key"] for v in request_type["values"]] == list(RequestType.values)
    hazard = attributes["hazard_kind"]
    assert hazard["required"] is True and hazard["variable"] is True
    assert {"key": "gas", "name": "Gas"} in hazard["values"]
    assert attributes["observed_at"]["datatype"] == "datetime"
    assert [a["order"] for a in body["attributes"]] == list(range(1, len(body["attributes"]) + 1))


def test_every_datatype_of_the_spec_is_used(client, region):
    seen = set()
    for code in Category.objects.values_list("code", flat=True):
        body = json.loads(client.get(f"{BASE}/services/{code}.json").content)
        seen |= {a["datatype"] for a in body["attributes"]}
        assert body["attributes"][0]["code"] == "request_type"
    assert seen == {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def test_service_definition_xml(client, region):
    root = parse_xml(client.get(f"{BASE}/services/sanitation.xml").content)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "sanitation"
    waste = next(a for a in root.findall("attributes/attribute") if a.findtext("code") == "waste_kind")
    assert waste.findtext("datatype") == "multivaluelist"
    assert waste.findtext("required") == "false"
    assert ("household", "生活垃圾") in [
        (v.findtext("key"), v.findtext("name")) for v in waste.findall("values/value")
    ]


# --- POST requests -------------------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test (media_url must never be fetched)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the server tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_post_form_encoded_with_attributes_creates_a_case(client, region, api_key, no_network):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "sanitation",
            **IN_TOWN1,
            "address_string": "测试村1-1 幸福路18号",
            "attribute[request_type]": "complaint",
            "attribute[waste_kind][]": ["household", "construction"],
            "attribute[volume_m3]": "2.5",
            "description": "路边堆了很多垃圾，好几天没人清运",
            "email": "zhang@example.com",
            "device_id": "device-7",
            "account_id": "acct-42",
            "first_name": "三",
            "last_name": "张",
            "phone": "13812345678",
            "media_url": "http://example.com/photo.jpg",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 201, response.content
    [answer] = json.loads(response.content)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] == "acct-42"
    case = Case.objects.get(number=answer["service_request_id"])
    assert (
        answer["service_notice"].startswith(f"Received as {case.number}")
        or case.number in answer["service_notice"]
    )
    assert case.channel == Channel.OPEN311
    assert case.category is not None and case.category.code == "sanitation"
    assert case.request_type == RequestType.COMPLAINT
    assert case.grid == region.grids[0]
    assert (case.lat, case.lon) == (32.205, 120.905)
    assert case.address == "测试村1-1 幸福路18号"
    assert case.reporter_name == "张三" and case.reporter_phone == "13812345678"
    assert case.reporter is None
    assert "路边堆了很多垃圾" in case.text and "生活垃圾、建筑垃圾" in case.text and "2.5" in case.text
    submission = Submission.objects.get(case=case)
    assert submission.channel == Channel.OPEN311
    assert submission.source == "街道App" and submission.api_key is not None
    assert submission.external_id == ""
    assert submission.sender_hash and "10.1.2.3" not in submission.sender_hash
    assert submission.extra["attributes"] == {
        "request_type": "complaint",
        "waste_kind": ["household", "construction"],
        "volume_m3": 2.5,
    }
    assert submission.extra["media_url"] == "http://example.com/photo.jpg"
    assert submission.extra["device_id"] == "device-7" and submission.extra["email"] == "zhang@example.com"
    assert not case.photos.exists()  # the URL is kept, nothing is downloaded


def test_post_answers_in_xml(client, region, api_key):
    response = post(client, "xml", **road_report(api_key), account_id="a-1")
    assert response.status_code == 201
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert Case.objects.filter(number=request.findtext("service_request_id")).exists()
    assert request.findtext("account_id") == "a-1"
    assert request.findtext("service_notice")


def test_post_marks_the_key_as_used(client, region, api_key):
    from gridgov.intake.models import ApiKey

    assert ApiKey.objects.get(name="街道App").last_used_at is None
    post(client, **road_report(api_key))
    assert ApiKey.objects.get(name="街道App").last_used_at is not None


def test_post_with_address_string_in_the_key_jurisdiction(client, region, town1_key):
    response = post(
        client,
        service_code="other",
        api_key=town1_key,
        address_string="某某路口",
        description="建议在路口加装路灯",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.grid is None
    assert case.area_path == region.towns[0].path  # handed to the key's town


def test_post_with_address_id_as_grid_code(client, region, api_key):
    response = post(
        client,
        service_code="water",
        api_key=api_key,
        address_id=region.grids[5].code,
        **{"attribute[water_issue]": "floating"},
        description="河面上有很多漂浮物",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.grid == region.grids[5]


def test_post_with_jurisdiction_by_case_prefix(client, region, api_key):
    region.towns[1].case_prefix = "SG"
    region.towns[1].save()
    response = post(client, **road_report(api_key, **IN_TOWN2), jurisdiction_id="sg")
    assert response.status_code == 201, response.content
    assert json.loads(response.content)[0]["service_request_id"].startswith("SG-")


def test_post_with_an_address_naming_a_village_goes_to_its_town(client, region, api_key):
    response = post(
        client, service_code="other", api_key=api_key, address_string="测试镇2测试村2-1", description="建议"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.grid is None and case.area_path == region.towns[1].path


@pytest.mark.parametrize("fmt", FORMATS)
def test_403_address_naming_a_place_outside_the_key_jurisdiction(client, region, town1_key, fmt):
    response = post(client, fmt, service_code="other", api_key=town1_key, address_string="测试镇2测试村2-1")
    assert_error(response, fmt, 403, "测试镇1")
    assert not Case.objects.exists()


def test_post_without_description_uses_the_service_name_and_the_attributes(client, region, api_key):
    report = road_report(api_key, description="", **{"attribute[traffic_blocked]": "yes"})
    number = json.loads(post(client, **report).content)[0]["service_request_id"]
    assert (
        Case.objects.get(number=number).text == "道路交通\n（道路问题类型：路面坑洼破损；是否阻断交通：是）"
    )


# --- tokens --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_answers_the_request_id(client, region, api_key, fmt):
    number = json.loads(post(client, **road_report(api_key)).content)[0]["service_request_id"]
    token = Submission.objects.get(case__number=number).token
    [found] = items(client.get(f"{BASE}/tokens/{token}.{fmt}"), fmt)
    assert found == {"service_request_id": number, "token": token}


# --- GET requests --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_list_and_one_request(client, region, fmt):
    first = make_case(region, days_ago=2, text="第一件")
    second = make_case(region, grid=4, days_ago=1, text="第二件")
    listed = items(client.get(f"{BASE}/requests.{fmt}"), fmt)
    assert [r["service_request_id"] for r in listed] == [second.number, first.number]  # newest first
    row = listed[1]
    assert row["status"] == "open"
    assert row["service_code"] == "road" and row["service_name"] == "道路交通"
    assert row["address_id"] == region.grids[0].code
    assert float(row["lat"]) == 32.205 and float(row["long"]) == 120.905
    assert row["requested_datetime"].endswith("+08:00")
    assert set(row) >= {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    }  # fmt: skip
    [one] = items(client.get(f"{BASE}/requests/{first.number}.{fmt}"), fmt)
    assert one["service_request_id"] == first.number and one["description"] == "第一件"


def test_requests_filters(client, region):
    road_old = make_case(region, days_ago=30)
    water = make_case(region, days_ago=3, category=category("water"), text="河里有垃圾")
    closed = make_case(region, days_ago=2)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    very_old = make_case(region, days_ago=120)

    def ids(**params):
        return [
            r["service_request_id"] for r in json.loads(client.get(f"{BASE}/requests.json", params).content)
        ]

    assert set(ids()) == {road_old.number, water.number, closed.number}  # the last 90 days by default
    assert set(ids(service_code="water")) == {water.number}
    assert set(ids(service_code="water,road")) == {road_old.number, water.number, closed.number}
    assert set(ids(status="closed")) == {closed.number}
    assert set(ids(status="open")) == {road_old.number, water.number}
    assert set(ids(status="open,closed")) == {road_old.number, water.number, closed.number}
    now = timezone.now()
    assert set(ids(start_date=(now - timedelta(days=10)).isoformat())) == {water.number, closed.number}
    assert set(ids(end_date=(now - timedelta(days=10)).isoformat())) == {road_old.number}
    assert set(
        ids(
            start_date=(now - timedelta(days=150)).isoformat(),
            end_date=(now - timedelta(days=100)).isoformat(),
        )
    ) == {very_old.number}
    assert set(ids(start_date="2026-05-01T00:00:00Z", end_date="2026-05-02T00:00:00Z")) == set()
    # service_request_id overrides every other parameter (dates and status included).
    assert set(ids(service_request_id=f"{very_old.number},{water.number}", status="closed")) == {
        very_old.number,
        water.number,
    }


def test_jurisdiction_limits_the_lists_to_its_subtree(client, region):
    in_town1 = make_case(region, grid=0)
    in_town2 = make_case(region, grid=4)
    region.towns[1].case_prefix = "SG"
    region.towns[1].save()

    def ids(**params):
        return {
            r["service_request_id"] for r in json.loads(client.get(f"{BASE}/requests.json", params).content)
        }

    assert ids(jurisdiction_id=region.towns[0].code) == {in_town1.number}
    assert ids(jurisdiction_id="SG") == {in_town2.number}
    assert ids(jurisdiction_id=region.district.code) == {in_town1.number, in_town2.number}
    response = client.get(
        f"{BASE}/requests/{in_town2.number}.json", {"jurisdiction_id": region.towns[0].code}
    )
    assert response.status_code == 404


def test_request_list_uses_a_constant_number_of_queries(client, region, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "OPEN311_CACHE_SECONDS": 0}
    make_case(region)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{BASE}/requests.json", {"jurisdiction_id": region.district.code})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    dispatcher = UserFactory(username="d1")
    grant(dispatcher, Role.DISPATCHER, area=region.towns[0])
    department = DepartmentFactory(area=region.towns[0], name="测试镇1建设办")
    for index in range(12):
        case = make_case(
            region, grid=index % 8, text=f"第{index}件", category=category(("road", "water")[index % 2])
        )
        if index % 8 < 4:  # town 1: accepted and dispatched to a department
            case = accept_case(actor=dispatcher, case=case)
            dispatch_case(actor=dispatcher, case=case, lead=department)
    assert count() == few
    # data stamp, jurisdiction, cases (with category, grid, holder, media URL, lead department)
    assert few <= 3


def town_dispatcher(region: RegionTree) -> Any:
    dispatcher: Any = UserFactory(username="d-cache")
    grant(dispatcher, Role.DISPATCHER, area=region.towns[0])
    return dispatcher


def test_list_answers_are_cached_until_a_case_changes(client, region, settings):
    first = make_case(region, text="第一件")
    assert len(json.loads(client.get(f"{BASE}/requests.json").content)) == 1
    # A cached answer is keyed on the newest timeline row: a new case, or a step on an old one, shows at once.
    second = make_case(region, text="第二件")
    assert len(json.loads(client.get(f"{BASE}/requests.json").content)) == 2
    road = Category.objects.get(code="road")
    rows = json.loads(client.get(f"{BASE}/requests.json").content)
    accept_case(actor=town_dispatcher(region), case=first)
    assert json.loads(client.get(f"{BASE}/requests.json").content) != rows
    # What the stamp does not see (a renamed service) is served from the cache until it expires ...
    Category.objects.filter(pk=road.pk).update(name="道路（改名）")
    names = {row["service_name"] for row in json.loads(client.get(f"{BASE}/requests.json").content)}
    assert "道路（改名）" not in names
    # ... while one request, another list or another language is read afresh.
    one = json.loads(client.get(f"{BASE}/requests/{second.number}.json").content)
    assert one[0]["service_name"] == "道路（改名）"
    assert len(json.loads(client.get(f"{BASE}/requests.json", {"locale": "en"}).content)) == 2
    cache.clear()
    names = {row["service_name"] for row in json.loads(client.get(f"{BASE}/requests.json").content)}
    assert names == {"道路（改名）"}
    settings.GRIDGOV = {**settings.GRIDGOV, "OPEN311_CACHE_SECONDS": 0}
    Category.objects.filter(pk=road.pk).update(name="道路")
    names = {row["service_name"] for row in json.loads(client.get(f"{BASE}/requests.json").content)}
    assert names == {"道路"}


@pytest.mark.parametrize("seconds", [30, 0])
def test_list_answers_carry_an_etag_and_answer_304(client, region, settings, seconds):
    settings.GRIDGOV = {**settings.GRIDGOV, "OPEN311_CACHE_SECONDS": seconds}
    case = make_case(region, text="第一件")
    answer = client.get(f"{BASE}/requests.json")
    etag = answer["ETag"]
    assert etag.startswith('W/"') and answer["Cache-Control"] == "no-cache"
    again = client.get(f"{BASE}/requests.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # Another format, another language or other parameters have their own validator.
    assert client.get(f"{BASE}/requests.xml", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(f"{BASE}/requests.json", {"locale": "en"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    # The api_key is not part of the answer.
    key = client.get(f"{BASE}/requests.json", {"api_key": "whatever"}, HTTP_IF_NONE_MATCH=etag)
    assert key.status_code in (304, 403)
    # A change to a case: the old validator no longer matches, the new answer has a new one.
    accept_case(actor=town_dispatcher(region), case=case)
    changed = client.get(f"{BASE}/requests.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert json.loads(changed.content)[0]["service_request_id"] == case.number
    # One request is never validated from a list's tag (nor cached).
    one = client.get(f"{BASE}/requests/{case.number}.json", HTTP_IF_NONE_MATCH=changed["ETag"])
    assert one.status_code == 200 and "ETag" not in one


def test_pages(client, region):
    numbers = [make_case(region, text=f"第{i}件", days_ago=i / 10).number for i in range(5)]

    def page(**params):
        rows = json.loads(client.get(f"{BASE}/requests.json", params).content)
        return [row["service_request_id"] for row in rows]

    assert page(page_size=2) == numbers[:2]
    assert page(page_size=2, page=3) == numbers[4:]
    assert page(page_size=2, page=4) == []
    assert_error(client.get(f"{BASE}/requests.json", {"page_size": 0}), "json", 400)
    assert_error(client.get(f"{BASE}/requests.json", {"page_size": 100000}), "json", 400)
    assert_error(client.get(f"{BASE}/requests.json", {"page": "x"}), "json", 400)


def test_request_list_query_uses_an_index(region):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL's depends on its statistics")
    from gridgov.intake.open311.selectors import _requests

    now = timezone.now()
    queryset = (
        _requests(region.towns[0])
        .filter(reported_at__gte=now - timedelta(days=90), reported_at__lte=now)
        .order_by("-reported_at", "-id")
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "SEARCH cases_case USING INDEX" in plan and "SCAN cases_case" not in plan, plan


# --- privacy ------------------------------------------------------------------------------------------------------


def test_public_lists_show_no_personal_data(client, region):
    dispatcher = UserFactory(username="dispatcher-wang", name="王调度")
    grant(dispatcher, Role.DISPATCHER, area=region.towns[0])
    department = DepartmentFactory(area=region.towns[0], name="测试镇1建设办")
    case = make_case(
        region,
        text="路灯坏了，联系我13812345678，身份证320612199001011234，座机0513-85123456",
        address="测试村1-1幸福路18号3单元",
        reporter_name="李四",
        reporter_phone="13900001111",
    )
    accept_case(actor=dispatcher, case=case)
    dispatch_case(actor=dispatcher, case=Case.objects.get(pk=case.pk), lead=department)
    for fmt in FORMATS:
        response = client.get(f"{BASE}/requests/{case.number}.{fmt}")
        text = response.content.decode()
        for secret in (
            "13812345678",
            "320612199001011234",
            "85123456",
            "李四",
            "13900001111",
            "王调度",
            "18号",
        ):
            assert secret not in text, (fmt, secret)
        [row] = items(response, fmt)
        assert "138****5678" in row["description"] and "320612********1234" in row["description"]
        assert row["agency_responsible"] == "测试镇1建设办"
        assert row["address"].startswith("测试村1-1")
        assert not {"reporter_name", "reporter_phone", "phone", "email", "first_name", "last_name"} & set(row)


def test_description_of_sensitive_requests_is_not_public(client, region):
    dispute = make_case(region, category=category("dispute"), text="张三和李四因宅基地吵架")
    tip_off = make_case(region, text="有人在路边偷倒渣土", request_type=RequestType.TIP_OFF)
    for case in (dispute, tip_off):
        [row] = json.loads(client.get(f"{BASE}/requests/{case.number}.json", {"locale": "en"}).content)
        assert row["description"] == "The description of this kind of request is not public."
        assert "张三" not in json.dumps(row, ensure_ascii=False)


def test_media_url_of_an_open311_request_is_listed(client, region, api_key):
    number = json.loads(
        post(client, **road_report(api_key, media_url="https://img.example.com/a.jpg")).content
    )[0]["service_request_id"]
    [row] = json.loads(client.get(f"{BASE}/requests/{number}.json").content)
    assert row["media_url"] == "https://img.example.com/a.jpg"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        ("打+86 138-1234-5678找我", "打138****5678找我"),
        ("身份证32061219900101123X。", "身份证320612********123X。"),
        ("座机0513-85123456", "座机051****3456"),
        ("案件SG-20260514-0007，2026-05-14上午", "案件SG-20260514-0007，2026-05-14上午"),
        ("编号123456789012345678901", "编号123456789012345678901"),
    ],
)
def test_mask_personal_text(text, masked):
    from gridgov.core.masking import mask_personal_text

    assert mask_personal_text(text) == masked


def test_xml_drops_characters_xml_cannot_carry(client, region):
    case = make_case(region, text="坑\x07洼\x1b<b>&amp;</b>")
    root = parse_xml(client.get(f"{BASE}/requests/{case.number}.xml").content)
    assert root.findtext("request/description") == "坑洼<b>&amp;</b>"


# --- errors, in JSON and XML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_404_unknown_service(client, region, api_key, fmt):
    assert_error(client.get(f"{BASE}/services/nope.{fmt}", {"locale": "en"}), fmt, 404, "nope")
    assert_error(post(client, fmt, **road_report(api_key, service_code="nope")), fmt, 404, "nope")
    assert_error(
        client.get(f"{BASE}/requests.{fmt}", {"service_code": "road,nope", "locale": "en"}), fmt, 404
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_404_unknown_request_and_token(client, region, fmt):
    assert_error(client.get(f"{BASE}/requests/XX-20260101-0001.{fmt}"), fmt, 404)
    assert_error(client.get(f"{BASE}/tokens/no-such-token.{fmt}"), fmt, 404)


def test_404_unknown_format_and_path(client, region):
    for path in ("services.csv", "discovery.html", "requests/X-1.txt", "tokens/abc.yaml"):
        response = client.get(f"{BASE}/{path}", {"locale": "en"})
        assert_error(response, "json", 404, "format")
    assert_error(client.get(f"{BASE}/nothing/here.xml"), "xml", 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_403_missing_bad_and_inactive_key(client, region, system, api_key, fmt):
    report = road_report(api_key)
    del report["api_key"]
    assert_error(post(client, fmt, **report), fmt, 403, "api_key")
    assert_error(post(client, fmt, **report, api_key="not-a-key"), fmt, 403, "not valid")
    key, raw = issue_api_key(actor=system, name="retired")
    update_api_key(actor=system, key=key, changes={"is_active": False})
    assert_error(post(client, fmt, **report, api_key=raw), fmt, 403, "deactivated")
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_403_key_whose_jurisdiction_excludes_the_place(client, region, town1_key, fmt):
    assert_error(post(client, fmt, **road_report(town1_key, **IN_TOWN2)), fmt, 403, "测试镇1")
    assert_error(
        post(client, fmt, **road_report(town1_key), jurisdiction_id=region.towns[1].code), fmt, 403, "测试镇1"
    )
    assert_error(
        post(client, fmt, **road_report(town1_key, address_id=region.grids[4].code, lat="", long="")),
        fmt,
        403,
    )
    assert not Case.objects.exists()
    assert post(client, fmt, **road_report(town1_key)).status_code == 201


@pytest.mark.parametrize("fmt", FORMATS)
def test_400_bad_attributes(client, region, api_key, fmt):
    def attempt(**attributes):
        report = road_report(api_key)
        del report["attribute[road_issue]"]
        return post(client, fmt, **report, **{f"attribute[{k}]": v for k, v in attributes.items()})

    assert_error(attempt(), fmt, 400, "road_issue", "required")
    assert_error(attempt(road_issue="volcano"), fmt, 400, "volcano", "pothole")
    assert_error(attempt(road_issue=["pothole", "bridge"]), fmt, 400, "single value")
    assert_error(attempt(road_issue="pothole", colour="red"), fmt, 400, "colour")
    assert_error(attempt(road_issue="pothole", request_type="praise"), fmt, 400, "praise")
    both = errors_of(attempt(road_issue="volcano", colour="red"), fmt)
    assert len(both) == 2  # one error per problem
    number = road_report(api_key, service_code="sanitation", **{"attribute[volume_m3]": "lots"})
    del number["attribute[road_issue]"]
    assert_error(post(client, fmt, **number), fmt, 400, "volume_m3", "number")
    moment = road_report(api_key, service_code="safety", **{"attribute[hazard_kind]": "gas"})
    del moment["attribute[road_issue]"]
    assert_error(
        post(client, fmt, **moment, **{"attribute[observed_at]": "yesterday"}), fmt, 400, "observed_at"
    )
    assert (
        post(client, fmt, **moment, **{"attribute[observed_at]": "2026-05-14T09:30:00+08:00"}).status_code
        == 201
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_400_missing_location_and_outside_the_grids(client, region, api_key, fmt):
    report = road_report(api_key)
    del report["lat"], report["long"]
    assert_error(post(client, fmt, **report), fmt, 400, "location")
    assert_error(post(client, fmt, **report, lat="32.2"), fmt, 400, "lat", "long")
    assert_error(post(client, fmt, **report, lat="north", long="east"), fmt, 400, "WGS-84")
    assert_error(post(client, fmt, **road_report(api_key, **OUTSIDE)), fmt, 400, "outside every grid")
    assert_error(post(client, fmt, **report, address_id="nowhere"), fmt, 400, "address_id")
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_400_other_input(client, region, api_key, fmt):
    assert_error(post(client, fmt, **road_report(api_key, email="not-an-email")), fmt, 400, "email")
    assert_error(
        post(client, fmt, **road_report(api_key, media_url="file:///etc/passwd")), fmt, 400, "media_url"
    )
    assert_error(post(client, fmt, **road_report(api_key, description="长" * 4001)), fmt, 400, "description")
    assert_error(post(client, fmt, **road_report(api_key, service_code="")), fmt, 400, "service_code")


@pytest.mark.parametrize("fmt", FORMATS)
def test_400_place_outside_the_request_jurisdiction(client, region, api_key, fmt):
    response = post(client, fmt, **road_report(api_key, **IN_TOWN2), jurisdiction_id=region.towns[0].code)
    assert_error(response, fmt, 400, "测试镇1")


@pytest.mark.parametrize("fmt", FORMATS)
def test_400_bad_dates_and_ranges(client, region, fmt):
    url = f"{BASE}/requests.{fmt}"
    en = {"locale": "en"}
    assert_error(client.get(url, {"start_date": "last week", **en}), fmt, 400, "start_date", "W3C")
    assert_error(client.get(url, {"end_date": "2026-13-45T00:00:00Z", **en}), fmt, 400, "end_date")
    too_long = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z", **en}
    assert_error(client.get(url, too_long), fmt, 400, "90 days")
    backwards = {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z", **en}
    assert_error(client.get(url, backwards), fmt, 400, "start_date")
    assert_error(client.get(url, {"status": "pending", **en}), fmt, 400, "status")
    exactly = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}
    assert client.get(url, exactly).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_400_unknown_jurisdiction(client, region, api_key, fmt):
    for path in ("services", "requests", "services/road"):
        response = client.get(f"{BASE}/{path}.{fmt}", {"jurisdiction_id": "atlantis", "locale": "en"})
        assert_error(response, fmt, 400, "atlantis")
    # A village is not a jurisdiction.
    response = post(client, fmt, **road_report(api_key), jurisdiction_id=region.villages[0].code)
    assert_error(response, fmt, 400, "jurisdiction_id")


@pytest.mark.parametrize("fmt", FORMATS)
def test_429_when_a_key_sends_too_many(client, region, api_key, settings, fmt):
    settings.GRIDGOV = {**settings.GRIDGOV, "OPEN311_RATE_PER_KEY": "2/d"}
    bad = road_report(api_key, **OUTSIDE)  # rejected requests count too, and write nothing
    assert post(client, fmt, **bad).status_code == 400
    assert post(client, fmt, **bad).status_code == 400
    response = post(client, fmt, **bad)
    assert_error(response, fmt, 429, "Too many")
    assert int(response["Retry-After"]) >= 1
    # Another key is not affected.
    other = issue_api_key(actor=ensure_system_user(), name="other")[1]
    assert post(client, fmt, **road_report(other, **OUTSIDE)).status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_get_with_a_bad_key_is_refused(client, region, api_key, fmt):
    assert_error(client.get(f"{BASE}/services.{fmt}", {"api_key": "nope"}), fmt, 403)
    assert client.get(f"{BASE}/services.{fmt}", {"api_key": api_key}).status_code == 200


def test_405_for_other_methods(client, region):
    response = client.post(f"{BASE}/services.json")
    assert_error(response, "json", 405)
    assert response["Allow"] == "GET"


def test_errors_are_chinese_by_default_and_english_on_request(client, region):
    response = client.get(f"{BASE}/services/nope.json")
    assert response["Content-Language"] == "zh-hans"
    english = client.get(f"{BASE}/services/nope.json", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"
    assert errors_of(english, "json") == [(404, "Unknown service_code nope.")]
    assert client.get(f"{BASE}/services/nope.json", {"locale": "en"})["Content-Language"] == "en"
    # locale wins over Accept-Language.
    assert (
        client.get(f"{BASE}/services/nope.json", {"locale": "zh-CN"}, HTTP_ACCEPT_LANGUAGE="en")[
            "Content-Language"
        ]
        == "zh-hans"
    )
