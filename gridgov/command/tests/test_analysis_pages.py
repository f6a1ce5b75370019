"""The analysis pages (/command/analysis/…): numbers on the page, chart and map data, links, permission and bad
input. The data are the hand-counted fixtures of the selector tests."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from gridgov.accounts.choices import Role
from gridgov.command.tests.test_analysis import build_trend_cases
from gridgov.command.tests.test_analysis_places import build_clustered, build_recurring
from gridgov.testing.factories import UserFactory, grant


@pytest.fixture
def trend_cases(region):
    return build_trend_cases(region)


@pytest.fixture
def clustered(region):
    return build_clustered(region)


@pytest.fixture
def recurring(region):
    return build_recurring(region)


TRENDS = reverse("command:trends")
HOTSPOTS = reverse("command:hotspots")
HOTSPOT_CASES = reverse("command:hotspot-cases")
RECURRENCE = reverse("command:recurrence")


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def json_script(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def cell(html: str, row: str, value: str) -> str:
    """The text of ``<td data-value=value>`` in the table row ``data-series=row``."""
    match = re.search(rf'<tr data-series="{row}">.*?<td data-value="{value}">(.*?)</td>', html, re.S)
    assert match, (row, value)
    return match.group(1)


@pytest.mark.django_db
def test_trends_page_shows_the_counts_and_changes(client, town, trend_cases):
    client = english(client, town.dispatcher)
    town1 = town.region.towns[0]

    response = client.get(TRENDS, {"area": town1.code, "period": "week", "date": "2026-03-11"})

    assert response.status_code == 200
    html = response.content.decode()
    assert cell(html, "road", "total") == "5" and cell(html, "road", "previous") == "3"
    assert cell(html, "road", "change") == "+66.7%" and cell(html, "road", "year-change") == "+150.0%"
    assert cell(html, "sanitation", "change") == "—"
    assert cell(html, "__total__", "total") == "7" and cell(html, "__total__", "change") == "+133.3%"
    chart = json_script(html, "trend-chart-data")
    assert chart["buckets"][0] == "2026-03-09" and len(chart["buckets"]) == 7
    assert [s["data"] for s in chart["series"]] == [[2, 0, 1, 0, 1, 0, 1], [0, 2, 0, 0, 0, 0, 0]]
    assert re.search(
        r'<tr data-bucket="2026-03-10">\s*<th scope="row">2026-03-10</th>\s*<td>0</td><td>2</td>', html
    )
    assert "vendor/echarts/echarts.min.js" in html and "command/analysis.js" in html
    assert 'aria-current="page">Trends<' in html


@pytest.mark.django_db
def test_trends_by_area_link_to_the_drill_down(client, town, trend_cases):
    client = english(client, town.dispatcher)
    town1 = town.region.towns[0]
    village = town.region.villages[0]

    html = client.get(
        TRENDS,
        {"area": town1.code, "period": "week", "date": "2026-03-11", "dimension": "area", "bucket": "week"},
    ).content.decode()

    assert cell(html, village.code, "total") == "4"
    assert (
        f'href="?area={village.code}&amp;period=week&amp;date=2026-03-09&amp;dimension=area&amp;bucket=week"'
        in html
    )
    # The drill-down target renders with the village's numbers.
    html = client.get(TRENDS, {"area": village.code, "period": "week", "date": "2026-03-11"}).content.decode()
    assert cell(html, "__total__", "total") == "4"


@pytest.mark.django_db
def test_a_user_of_another_town_gets_403(client, town, trend_cases):
    other = UserFactory(username="dispatcher2")
    grant(other, Role.DISPATCHER, area=town.region.towns[1])
    client.force_login(other)
    town1 = town.region.towns[0].code

    for url in (TRENDS, HOTSPOTS, RECURRENCE, HOTSPOT_CASES):
        assert client.get(url, {"area": town1}).status_code == 403, url
    assert client.get(TRENDS, {"area": town.region.towns[1].code}).status_code == 200
    # Without a command-center role at all: 403 too; anonymous: to the sign-in page.
    client.force_login(town.handler)
    assert client.get(TRENDS).status_code == 403
    client.logout()
    assert client.get(TRENDS).status_code == 302


@pytest.mark.django_db
def test_bad_input_is_reported_and_the_page_still_renders(client, town, trend_cases):
    client = english(client, town.dispatcher)
    town1 = town.region.towns[0].code

    response = client.get(
        TRENDS, {"area": town1, "period": "week", "date": "2026-02-30", "dimension": "colour"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "&#x27;2026-02-30&#x27; is not a date (YYYY-MM-DD)." in html
    assert 'data-filter-error="dimension"' in html and "The default is used instead." in html
    assert "trend-chart-data" in html

    response = client.get(HOTSPOTS, {"area": town1, "eps": "abc", "min_cases": "1", "category": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("eps", "min_cases", "category"):
        assert f'data-filter-error="{name}"' in html
    assert json_script(html, "hotspot-data")["hotspots"] == []

    response = client.get(HOTSPOT_CASES, {"area": town1, "cell": "not-a-number"})
    assert response.status_code == 200 and "Hotspot not found" in response.content.decode()


@pytest.mark.django_db
def test_hotspots_page_map_data_table_and_case_list(client, town, clustered):
    client = english(client, town.dispatcher)
    town1 = town.region.towns[0].code
    _region, numbers = clustered

    html = client.get(HOTSPOTS, {"area": town1, "period": "month", "date": "2026-03-01"}).content.decode()

    data = json_script(html, "hotspot-data")
    assert [(h["rank"], h["cases"]) for h in data["hotspots"]] == [(1, 12), (2, 10)]
    assert data["hotspots"][1]["categories"][0]["count"] == 6
    assert 'data-rank="1"' in html and "map_base.js" in html and "vendor/leaflet/leaflet.js" in html
    assert json_script(html, "map-config")  # the site's map settings for GridGov.baseMap

    url = data["hotspots"][0]["url"]
    assert url.startswith(HOTSPOT_CASES) and "period=month" in url and "cell=" in url
    listing = client.get(url).content.decode()
    assert sorted(re.findall(r'<tr data-case="(T\d+)">', listing)) == sorted(numbers["A"])
    assert 'data-case-count="12"' in listing and reverse("cases:detail", args=[numbers["A"][0]]) in listing

    # Stricter settings from the form, carried into the links.
    html = client.get(
        HOTSPOTS, {"area": town1, "period": "month", "date": "2026-03-01", "min_cases": "11", "eps": "250"}
    ).content.decode()
    data = json_script(html, "hotspot-data")
    assert [h["cases"] for h in data["hotspots"]] == [12]
    assert "eps=250" in data["hotspots"][0]["url"] and "min_cases=11" in data["hotspots"][0]["url"]


@pytest.mark.django_db
def test_recurrence_page_lists_each_group_with_its_cases(client, town, recurring):
    client = english(client, town.dispatcher)
    _region, numbers = recurring

    html = client.get(
        RECURRENCE, {"area": town.region.towns[0].code, "period": "month", "date": "2026-03-01"}
    ).content.decode()

    assert 'data-group-count="2"' in html
    groups = re.findall(r'data-group="(\d)" data-category="(\w+)" data-count="(\d)"', html)
    assert groups == [("1", "road", "4"), ("2", "road", "3")]
    second = html.split('data-group="2"')[1]
    assert re.findall(r'<tr data-case="(T\d+)">', second) == numbers["P"]
    assert "Resolved" in second and "Closed" in second and "2026-03-02 09:00" in second

    html = client.get(
        RECURRENCE,
        {"area": town.region.towns[0].code, "period": "month", "date": "2026-03-01", "min_cases": "4"},
    ).content.decode()
    assert 'data-group-count="1"' in html


@pytest.mark.django_db
def test_pages_default_to_chinese(client, town, trend_cases):
    client.force_login(town.dispatcher)

    html = client.get(TRENDS, {"area": town.region.towns[0].code}).content.decode()

    assert 'lang="zh-hans"' in html
