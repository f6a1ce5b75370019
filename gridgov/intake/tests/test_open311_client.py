"""A real Open311 client against a real server: the PyPI ``georeport`` package (0.3.1, built on ``requests``)
reads our services, a service definition, the request list and one request, in JSON and in XML."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from gridgov.accounts.actions import ensure_system_user
from gridgov.cases.actions import report_case
from gridgov.cases.choices import Channel
from gridgov.intake.keys import issue_api_key
from gridgov.testing.factories import RegionTree, category

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(live_server, region: RegionTree) -> dict[str, Any]:
    """Two cases in town 1, one in town 2; the client is limited to town 1 by its jurisdiction."""
    town1 = [
        report_case(actor=None, channel=Channel.WEB, text="路灯不亮，晚上很黑", lat=32.205, lon=120.905,
                    category=category("road")),
        report_case(actor=None, channel=Channel.WEB, text="河面漂浮垃圾", lat=32.205, lon=120.925,
                    category=category("water")),
    ]  # fmt: skip
    town2 = report_case(
        actor=None,
        channel=Channel.WEB,
        text="垃圾桶满了",
        lat=32.205,
        lon=121.005,
        category=category("sanitation"),
    )
    return {"root": live_server.url + "/open311/v2", "town1": town1, "town2": town2, "region": region}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_services_and_a_definition(served, fmt):
    client = GeoReport(root_address=served["root"], jurisdiction="320612100", output_format=fmt)
    services = client.get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["road"]["service_name"] == "道路交通"
    assert str(by_code["road"]["metadata"]).lower() == "true"
    assert by_code["water"]["group"] == "基础设施"

    definition = client.get_service_definition("road")
    assert definition["service_code"] == "road"
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    codes = [a["code"] for a in attributes]
    assert codes[:2] == ["request_type", "road_issue"]
    road_issue = attributes[1]
    values = road_issue["values"] if fmt == "json" else road_issue["values"]["value"]
    assert {"key": "pothole", "name": "路面坑洼破损"} in [dict(v) for v in values]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_requests_and_one_request(served, fmt):
    client = GeoReport(root_address=served["root"], jurisdiction="320612100", output_format=fmt)
    listed = client.get_service_requests()
    numbers = [r["service_request_id"] for r in listed]
    assert numbers == [case.number for case in reversed(served["town1"])]  # newest first, town 1 only
    assert listed[0]["service_code"] == "water"
    assert listed[0]["status"] == "open"

    only_road = client.get_service_requests(service_code="road", status="open")
    if fmt == "xml":  # xmltodict gives a single element as a dict, not a list
        only_road = [only_road] if isinstance(only_road, dict) else only_road
    assert [r["service_request_id"] for r in only_road] == [served["town1"][0].number]

    one = client.get_service_request(served["town1"][0].number)
    assert one["service_request_id"] == served["town1"][0].number
    assert one["description"] == "路灯不亮，晚上很黑"
    assert float(one["lat"]) == 32.205 and float(one["long"]) == 120.905
    assert one["address_id"] == served["region"].grids[0].code

    # The town-2 case is outside the client's jurisdiction.
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_request(served["town2"].number)
    assert caught.value.response.status_code == 404


def test_post_over_http_then_read_it_back_with_the_client(served):
    raw = issue_api_key(actor=ensure_system_user(), name="http-client")[1]
    response = requests.post(
        served["root"] + "/requests.json",
        data={
            "api_key": raw,
            "jurisdiction_id": "320612100",
            "service_code": "road",
            "lat": "32.2051",
            "long": "120.9051",
            "attribute[road_issue]": "streetlight",
            "attribute[request_type]": "help",
            "description": "路灯又坏了",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    number = response.json()[0]["service_request_id"]
    client = GeoReport(root_address=served["root"], jurisdiction="320612100", output_format="xml")
    assert client.get_service_request(number)["service_request_id"] == number
