"""The command-center API over the hand-made data set of ``test_indicators`` (same numbers, same "now"): the
accountability tables equal the selectors' and the page's numbers, the summary equals the overview's selectors, and
the area, period and unit kind are parsed, scoped and refused as on the pages."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from rest_framework.test import APIClient

from gridgov.accounts.choices import Role
from gridgov.command.periods import Period
from gridgov.command.selectors import overview
from gridgov.command.selectors.areas import available_kinds
from gridgov.command.selectors.indicators import COUNTS, INDICATORS, Figures, table_and_rest
from gridgov.command.tests.test_indicators import EXPECTED, EXPECTED_DAYS, NOW, ORDER, PERIOD, build
from gridgov.testing.factories import UserFactory, grant

TABLE = "/api/v1/command/accountability/"
SUMMARY = "/api/v1/command/summary/"
MONTH = {"period": "month", "date": "2025-10-01"}


@pytest.fixture
def data(town):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield build(town)


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def get(client: APIClient, url: str, **params):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        return client.get(url, params)


def table(client: APIClient, **params) -> dict:
    response = get(client, TABLE, **{**MONTH, **params})
    assert response.status_code == 200, response.content
    return response.json()


def counts(numbers: dict) -> tuple[int, ...]:
    return tuple(numbers["counts"][key] for key in ORDER)


def as_api(figures: Figures) -> dict:
    """What the API should answer for ``figures``: every count, every rate (0…1 or None), the average days."""
    return {
        "counts": {key: getattr(figures, key) for key in COUNTS},
        "rates": {indicator.key: figures.rate(indicator.key) for indicator in INDICATORS},
        "average_days": figures.average_days,
    }


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


# --- Accountability -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grid_table_has_the_hand_computed_numbers(data):
    body = table(api(data.town.dispatcher), area=data.areas["T1"].code, kind="grid")
    assert (body["kind"], body["kind_label"]) == ("grid", "Grids")
    assert body["period"] == {"kind": "month", "start": "2025-10-01", "end": "2025-10-31", "label": "2025-10"}
    rows = {row["key"]: row for row in body["rows"]}
    assert list(rows) == [data.areas[name].code for name in ("G1", "G2", "G3", "G4")]
    for name in ("G1", "G2", "G3", "G4"):
        row = rows[data.areas[name].code]
        assert (counts(row), row["label"]) == (EXPECTED[name], data.areas[name].name)
        days = EXPECTED_DAYS[name]
        assert row["average_days"] == (None if days is None else pytest.approx(days, abs=1e-3)), name
    g1, g3, g4 = (rows[data.areas[name].code] for name in ("G1", "G3", "G4"))
    assert g1["rates"]["on_time_rate"] == pytest.approx(2 / 3)
    assert g3["rates"]["satisfaction_rate"] is None  # no rated case: no rate, not 0
    assert set(g4["rates"].values()) == {None}
    assert counts(body["rest"]) == EXPECTED["rest"]  # C10, placed at the town itself
    assert counts(body["total"]) == EXPECTED["T1"]
    assert body["total"]["rates"]["on_time_rate"] == pytest.approx(4 / 7)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["child", "village", "grid", "worker", "department"])
def test_every_table_equals_the_selectors(data, kind):
    body = table(api(data.town.leader), area=data.areas["T1"].code, kind=kind)
    rows, rest = table_and_rest(kind, data.areas["T1"], PERIOD, now=NOW)
    assert [row["key"] for row in body["rows"]] == [row.key for row in rows]
    for answered, row in zip(body["rows"], rows, strict=True):
        assert (answered["label"], answered["detail"]) == (row.label, row.detail)
        assert {key: answered[key] for key in ("counts", "rates", "average_days")} == as_api(row.figures)
    if rest is None:
        assert body["rest"] is None and body["total"] is None  # rows of workers and departments may overlap
    else:
        assert body["rest"] == as_api(rest)
        total = Figures()
        for figures in [row.figures for row in rows] + [rest]:
            total.add(figures)
        assert body["total"] == as_api(total)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["grid", "department"])
def test_the_table_equals_the_page(client, data, kind):
    """Every number of every line of the page (``accountability`` view's table) is the API's."""
    client.force_login(data.town.dispatcher)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        page = client.get("/command/accountability/", {**MONTH, "area": data.areas["T1"].code, "kind": kind})
    shown = page.context["table"]
    body = table(api(data.town.dispatcher), area=data.areas["T1"].code, kind=kind)
    lines = {line.key: line for line in shown.lines}
    answered = {row["key"]: row for row in body["rows"]}
    pairs = [(lines[key], answered[key]) for key in lines]
    if shown.total is not None:
        pairs.append((shown.total, body["total"]))
    if shown.rest is not None:
        pairs.append((shown.rest, body["rest"]))
    assert set(lines) == set(answered)
    for line, row in pairs:
        for cell in line.cells:
            key = cell.column.key
            if key in COUNTS:
                value = row["counts"][key]
            elif key == "average_days":
                value = row["average_days"]
            else:
                value = row["rates"][key]
            assert value == cell.value, (line.key, key)


@pytest.mark.django_db
def test_departments_and_workers(data):
    client = api(data.town.dispatcher)
    rows = {row["key"]: row for row in table(client, area=data.areas["T1"].code, kind="department")["rows"]}
    assert counts(rows[str(data.departments["justice"].pk)]) == EXPECTED["justice"]
    assert counts(rows[str(data.departments["roads"].pk)]) == EXPECTED["roads"]
    rows = {row["key"]: row for row in table(client, area=data.areas["T1"].code, kind="worker")["rows"]}
    assert counts(rows[str(data.town.other_worker.pk)]) == EXPECTED["worker2"]
    assert counts(rows[str(data.town.worker.pk)]) == EXPECTED["worker"]


@pytest.mark.django_db
def test_kind_defaults_and_refusals_as_the_page(data):
    client = api(data.town.dispatcher)
    body = table(client, area=data.areas["T1"].code)
    assert body["kind"] == "child"
    assert [kind["code"] for kind in body["kinds"]] == available_kinds(data.areas["T1"])
    assert [row["key"] for row in body["rows"]] == [data.areas["V1"].code, data.areas["V2"].code]
    assert counts(body["rows"][0]) == EXPECTED["V1"]
    failed = error(get(client, TABLE, area=data.areas["T1"].code, kind="town", **MONTH), 400)
    assert failed["code"] == "invalid"
    assert failed["fields"] == {
        "kind": [
            "“town” is not a kind of unit of this area; choose one of: child, village, grid, worker, department."
        ]
    }
    assert set(error(get(client, TABLE, kind="nonsense"), 400)["fields"]) == {"kind"}


@pytest.mark.django_db
def test_period_parsing_as_the_page(data):
    client = api(data.town.dispatcher)
    area = data.areas["T1"].code
    body = get(client, TABLE, area=area).json()  # default: the month of "now" (November 2025)
    assert (body["period"]["start"], body["period"]["end"]) == ("2025-11-01", "2025-11-30")
    body = table(client, area=area, period="range", start="2025-10-01", end="2025-10-31", kind="grid")
    assert body["period"]["kind"] == "range" and counts(body["total"]) == EXPECTED["T1"]
    failed = error(get(client, TABLE, area=area, period="month", date="2025-13-45"), 400)
    assert failed["fields"] == {"date": ["'2025-13-45' is not a date (YYYY-MM-DD)."]}
    failed = error(get(client, TABLE, area=area, period="range", start="2025-10-31", end="2025-10-01"), 400)
    assert set(failed["fields"]) == {"end"}
    assert set(error(get(client, TABLE, area=area, period="fortnight"), 400)["fields"]) == {"period"}
    assert set(error(get(client, SUMMARY, area=area, period="range", start="2025-10-01"), 400)["fields"]) == {
        "start"
    }


@pytest.mark.django_db
def test_scoping_as_the_page(data):
    other = UserFactory(username="dispatcher-town2")
    grant(other, Role.DISPATCHER, area=data.areas["T2"])
    t1 = data.areas["T1"].code
    for url in (TABLE, SUMMARY):
        assert error(get(api(other), url, area=t1), 403)["code"] == "permission_denied"
        assert get(api(other), url, area=data.areas["T2"].code).status_code == 200  # their own town
        assert get(api(other), url).json()["area"]["code"] == data.areas["T2"].code  # by default
        assert get(api(data.town.handler), url, area=t1).status_code == 403  # no VIEW_ANALYSIS
        assert get(api(data.town.chief), url, area=data.areas["V1"].code).status_code == 200
        assert get(api(data.town.chief), url, area=t1).status_code == 403
        assert error(get(api(data.town.leader), url, area="NO-SUCH-AREA"), 404)["code"] == "not_found"
        anonymous = get(api(), url, area=t1)
        assert (
            anonymous.status_code in (401, 403) and anonymous.json()["error"]["code"] == "not_authenticated"
        )
    response = get(api(data.town.leader), TABLE, area=t1)
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]


# --- Summary ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_summary_equals_the_overview_selectors(data):
    area = data.areas["T1"]
    response = get(api(data.town.dispatcher), SUMMARY, area=area.code, **MONTH)
    assert response.status_code == 200
    body = response.json()
    expected = overview.summary(area, now=NOW, period=PERIOD)
    numbers = expected.headline
    assert body["headline"] == {
        "reported_today": numbers.reported_today,
        "open": numbers.open,
        "overdue": numbers.overdue,
        "urgent": numbers.urgent,
        "on_time_rate": numbers.on_time_rate,
        "satisfaction_rate": numbers.satisfaction_rate,
    }
    assert body["headline"]["overdue"] == EXPECTED["T1"][ORDER.index("overdue_now")]  # C3, C8, C9, C12
    assert body["headline"]["on_time_rate"] == pytest.approx(4 / 7)
    assert body["open_by_colour"] == expected.colours.as_dict()
    assert sum(body["open_by_colour"].values()) == body["headline"]["open"]
    assert body["figures"] == as_api(expected.figures)
    assert counts(body["figures"]) == EXPECTED["T1"]  # the accountability table's total
    assert body["area"] == {"code": area.code, "name": area.name, "level": area.level}


@pytest.mark.django_db
def test_summary_defaults_to_the_current_month_as_the_overview(data):
    body = get(api(data.town.dispatcher), SUMMARY).json()
    assert body["area"]["code"] == data.areas["T1"].code
    assert body["period"]["start"] == "2025-11-01"
    numbers = overview.headline(data.areas["T1"], now=NOW)
    assert numbers.period == Period.containing("month", date(2025, 11, 10))
    assert (body["headline"]["open"], body["headline"]["on_time_rate"]) == (
        numbers.open,
        numbers.on_time_rate,
    )


def test_the_schema_describes_the_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in (
        "/api/v1/command/summary/",
        "/api/v1/command/accountability/",
        "/api/v1/command/alerts/",
        "/api/v1/alerts/",
        "/api/v1/alerts/{id}/",
    ):
        assert "get" in paths[path], path
    for verb in ("acknowledge", "follow_up", "link_case", "close"):
        assert paths[f"/api/v1/alerts/{{id}}/{verb}/"]["post"]["operationId"] == f"alerts_{verb}"
    rates = schema["components"]["schemas"]["IndicatorRates"]["properties"]
    assert set(rates) == {indicator.key for indicator in INDICATORS}
    assert all(field["nullable"] for field in rates.values())
