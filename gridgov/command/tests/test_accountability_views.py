"""The accountability pages over the hand-made data set of ``test_indicators`` (same numbers, same "now")."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from gridgov.accounts.choices import Role
from gridgov.cases.models import Case
from gridgov.command.selectors.indicators import COUNTS, INDICATORS
from gridgov.command.tests.test_indicators import EXPECTED, NOW, ORDER, build
from gridgov.command.views.accountability import COLUMNS
from gridgov.dispatch.models import Department
from gridgov.testing.factories import UserFactory, grant

URL = "/command/accountability/"
MONTH = {"period": "month", "date": "2025-10-01"}


@pytest.fixture
def data(town):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield build(town)


@pytest.fixture
def dispatcher(client, data):
    client.force_login(data.town.dispatcher)
    return client


class TableParser(HTMLParser):
    """Reads the accountability table: per line (``data-key``), the text of each count, rate and rank cell, and
    the link of each count."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, dict[str, str]] = {}
        self.links: dict[str, dict[str, str]] = {}
        self.order: list[str] = []
        self._line = ""
        self._cell = ""
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "tr" and attr.get("data-key") is not None:
            self._line = f"{attr.get('data-line')}:{attr['data-key']}"
            self.order.append(self._line)
            self.lines[self._line], self.links[self._line] = {}, {}
        elif tag == "td" and self._line:
            name = attr.get("data-count") or attr.get("data-rate") or ("rank" if "data-rank" in attr else "")
            name = name or ("average_days" if "data-days" in attr else "")
            if name:
                self._cell, self._text = name, []
        elif tag == "a" and self._cell and self._cell in COUNTS and attr.get("href"):
            self.links[self._line][self._cell] = attr["href"] or ""

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell:
            text = " ".join("".join(self._text).split())
            self.lines[self._line][self._cell] = text
            self._cell = ""
        elif tag == "tr":
            self._line = ""


def parse(response) -> TableParser:
    parser = TableParser()
    parser.feed(response.content.decode())
    return parser


def get(client, **params):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        return client.get(URL, {**MONTH, **params})


def counts(cells: dict[str, str]) -> tuple[int, ...]:
    return tuple(int(cells[key]) for key in ORDER)


@pytest.mark.django_db
def test_grid_table_shows_the_hand_computed_numbers(dispatcher, data):
    response = get(dispatcher, area=data.areas["T1"].code, kind="grid")
    assert response.status_code == 200
    table = parse(response)
    for name in ("G1", "G2", "G3", "G4"):
        assert counts(table.lines[f"unit:{data.areas[name].code}"]) == EXPECTED[name], name
    assert counts(table.lines["rest:grid"]) == EXPECTED["rest"]  # C10, at the town itself
    assert counts(table.lines[f"total:{data.areas['T1'].code}"]) == EXPECTED["T1"]
    g1 = table.lines[f"unit:{data.areas['G1'].code}"]
    assert g1["on_time_rate"].startswith("66.7%") and g1["on_time_rate"].endswith("2/3")
    assert g1["average_days"] == "3.4"  # 3.396
    assert table.lines[f"unit:{data.areas['G3'].code}"]["satisfaction_rate"].startswith("—")
    html = response.content.decode()
    for indicator in INDICATORS:  # the formula on hover and focus, and in the glossary
        assert f'title="{escape(str(indicator.formula))}"' in html
    assert "data-glossary" in html and 'role="tooltip"' in html


@pytest.mark.django_db
def test_departments_and_workers_have_no_total(dispatcher, data):
    Department.objects.filter(pk=data.departments["roads"].pk).update(name="<b>建设办</b>")
    response = get(dispatcher, area=data.areas["T1"].code, kind="department")
    assert "&lt;b&gt;建设办&lt;/b&gt;" in response.content.decode()  # names are data: escaped
    table = parse(response)
    assert counts(table.lines[f"unit:{data.departments['justice'].pk}"]) == EXPECTED["justice"]
    assert counts(table.lines[f"unit:{data.departments['roads'].pk}"]) == EXPECTED["roads"]
    assert not [line for line in table.lines if not line.startswith("unit:")]
    table = parse(get(dispatcher, area=data.areas["T1"].code, kind="worker"))
    assert counts(table.lines[f"unit:{data.town.other_worker.pk}"]) == EXPECTED["worker2"]
    assert not [line for line in table.lines if not line.startswith("unit:")]


@pytest.mark.django_db
def test_every_count_links_to_exactly_its_cases(dispatcher, data):
    """Follow every link of every count of three tables: the drill-through lists as many lines as the number."""
    followed = 0
    for kind in ("grid", "village", "department", "worker"):
        table = parse(get(dispatcher, area=data.areas["T1"].code, kind=kind))
        for line, links in table.links.items():
            assert set(links) == set(COUNTS), line
            for count, href in links.items():
                with mock.patch("django.utils.timezone.now", return_value=NOW):
                    page = dispatcher.get(href)
                assert page.status_code == 200, href
                number = int(table.lines[line][count])
                assert page.context["total"] == number, (kind, line, count)
                assert page.content.decode().count("<tr data-case=") == number  # fewer than a page
                followed += 1
    assert followed > 150


@pytest.mark.django_db
def test_drill_through_page(dispatcher, data):
    Case.objects.filter(pk=data.cases["C5"].pk).update(reporter_name="张三", reporter_phone="13800138000")
    query = {
        "area": data.areas["T1"].code, "kind": "department", "key": data.departments["justice"].pk,
        "count": "received", "table": "department", **MONTH,
    }  # fmt: skip
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        response = dispatcher.get(reverse("command:accountability_cases"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="5"' in html
    assert html.count(f'data-case="{data.number("C5")}"') == 2  # received twice: two assignments
    assert reverse("cases:detail", args=[data.number("C5")]) in html
    assert "张三" not in html and "13800138000" not in html  # no personal data
    assert "?area=" in html and "kind=department" in html  # back to the same table
    # Paginated: 50 a page.
    with mock.patch("gridgov.command.views.accountability.PAGE_SIZE", 2):
        second = dispatcher.get(reverse("command:accountability_cases"), {**query, "page": 2})
    assert second.context["total"] == 5
    assert second.content.decode().count("<tr data-case=") == 2
    assert 'rel="next"' in second.content.decode()


@pytest.mark.django_db
def test_drill_through_refuses_what_it_cannot_count(dispatcher, data):
    url = reverse("command:accountability_cases")
    base = {"area": data.areas["T1"].code, **MONTH}
    outside = data.town.region.grids[4].code  # a grid of the other town
    for params in (
        {"kind": "grid", "key": data.areas["G1"].code, "count": "nonsense"},
        {"kind": "grid", "key": outside, "count": "received"},
        {"kind": "nonsense", "key": "1", "count": "received"},
        {"kind": "department", "key": "x", "count": "received"},
        {"kind": "worker", "key": "999999", "count": "received"},
        {"kind": "rest", "key": "department", "count": "received"},
    ):
        assert dispatcher.get(url, {**base, **params}).status_code == 404, params
    # The frame's trail and period links carry only the area and the period: they lead back to the table.
    response = dispatcher.get(url, {**base, "table": "grid"})
    assert response.status_code == 302
    assert response["Location"].startswith(URL) and "kind=grid" in response["Location"]


@pytest.mark.django_db
def test_sorting_ranks_with_empty_values_last(dispatcher, data):
    codes = {data.areas[name].code: name for name in ("G1", "G2", "G3", "G4")}

    def ranking(**params) -> list[tuple[str, str]]:
        table = parse(get(dispatcher, area=data.areas["T1"].code, kind="grid", **params))
        units = [line for line in table.order if line.startswith("unit:")]
        return [(codes[line[5:]], table.lines[line]["rank"]) for line in units]

    assert ranking(sort="on_time_rate", dir="desc") == [("G3", "1"), ("G1", "2"), ("G2", "3"), ("G4", "")]
    assert ranking(sort="on_time_rate", dir="asc") == [("G2", "1"), ("G1", "2"), ("G3", "3"), ("G4", "")]
    assert ranking(sort="returned", dir="desc") == [("G3", "1"), ("G1", "2"), ("G2", "2"), ("G4", "2")]
    assert ranking(sort="average_days", dir="asc") == [("G2", "1"), ("G3", "2"), ("G1", "3"), ("G4", "")]
    assert ranking() == [("G1", ""), ("G2", ""), ("G3", ""), ("G4", "")]  # natural order, no ranks
    response = get(dispatcher, area=data.areas["T1"].code, kind="grid", sort="on_time_rate")
    assert 'aria-sort="descending"' in response.content.decode()
    bad = get(dispatcher, area=data.areas["T1"].code, kind="grid", sort="drop table")
    assert bad.status_code == 200 and "data-accountability-error" in bad.content.decode()


@pytest.mark.django_db
def test_another_towns_dispatcher_is_refused(client, data):
    other = UserFactory(username="dispatcher-town2")
    grant(other, Role.DISPATCHER, area=data.areas["T2"])
    client.force_login(other)
    assert get(client, area=data.areas["T1"].code).status_code == 403
    drill = {"area": data.areas["T1"].code, "kind": "grid", "key": data.areas["G1"].code, "count": "received"}
    assert client.get(reverse("command:accountability_cases"), {**drill, **MONTH}).status_code == 403
    assert get(client, area=data.areas["T2"].code).status_code == 200  # their own town


@pytest.mark.django_db
def test_only_analysis_roles_see_it(client, data):
    client.force_login(data.town.handler)  # a department handler: no VIEW_ANALYSIS, even for its department
    assert get(client, area=data.areas["T1"].code, kind="department").status_code == 403
    client.force_login(data.town.chief)  # a grid chief: their village only
    assert get(client, area=data.areas["V1"].code).status_code == 200
    assert get(client, area=data.areas["T1"].code).status_code == 403
    client.logout()
    assert get(client, area=data.areas["T1"].code).status_code == 302  # to the sign-in page


@pytest.mark.django_db
def test_a_bad_period_shows_an_error_and_still_renders(dispatcher, data):
    response = get(dispatcher, area=data.areas["T1"].code, kind="grid", period="month", date="2025-13-45")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-period-error="date"' in html
    assert "2025-13-45" in html  # the message names the value
    assert "data-accountability-table" in html  # the table of the default period
    wrong_kind = get(dispatcher, area=data.areas["T1"].code, kind="town")  # no towns inside a town
    assert wrong_kind.status_code == 200
    assert wrong_kind.context["kind"] == "child"
    assert "data-accountability-error" in wrong_kind.content.decode()


@pytest.mark.django_db
def test_kinds_offered_by_level(dispatcher, data):
    response = get(dispatcher, area=data.areas["T1"].code)
    assert [key for key, _label, _url in response.context["kinds"]] == [
        "child", "village", "grid", "worker", "department",
    ]  # fmt: skip
    assert response.context["kind"] == "child"
    district = UserFactory(username="leader-district")
    grant(district, Role.LEADER, area=data.areas["D"])
    dispatcher.force_login(district)
    response = get(dispatcher, area=data.areas["D"].code, kind="town")
    assert [key for key, _label, _url in response.context["kinds"]][:4] == [
        "child",
        "town",
        "village",
        "grid",
    ]
    table = parse(response)
    assert counts(table.lines[f"unit:{data.areas['T1'].code}"]) == EXPECTED["T1"]
    assert counts(table.lines[f"total:{data.areas['D'].code}"]) == EXPECTED["T1"]
    assert "rest:town" not in table.lines  # nothing outside the towns: no remainder line


@pytest.mark.django_db
def test_exports_carry_the_same_numbers(dispatcher, data):
    page = parse(get(dispatcher, area=data.areas["T1"].code, kind="grid"))
    response = get(dispatcher, area=data.areas["T1"].code, kind="grid", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "accountability-" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[1]
    by_label = {row[1]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    labels = {str(column.key): str(column.label) for column in COLUMNS}
    g1 = by_label[data.areas["G1"].name]
    shown = page.lines[f"unit:{data.areas['G1'].code}"]
    for key in ORDER:
        assert g1[labels[key]] == shown[key], key
    assert g1[labels["on_time_rate"]] == "66.7%"
    total = [row for row in rows[2:] if row[2] == data.areas["T1"].name][-1]
    assert tuple(int(dict(zip(header, total, strict=True))[labels[key]]) for key in ORDER) == EXPECTED["T1"]

    response = get(dispatcher, area=data.areas["T1"].code, kind="grid", format="xlsx", sort="on_time_rate")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = [str(cell) for cell in values[1]]
    first = dict(zip(header, values[2], strict=True))  # ranked first: G3, on time 1/1
    assert first[str(labels["on_time_rate"])] == 1.0
    assert tuple(first[labels[key]] for key in ORDER) == EXPECTED["G3"]
    assert first[str(labels["average_days"])] == pytest.approx(3.25)


@pytest.mark.django_db
def test_links_carry_the_period(dispatcher, data):
    table = parse(get(dispatcher, area=data.areas["T1"].code, kind="grid"))
    href = table.links[f"unit:{data.areas['G2'].code}"]["reworked"]
    query = parse_qs(urlsplit(href).query)
    assert query["period"] == ["month"] and query["date"] == ["2025-10-01"]
    assert query["kind"] == ["grid"] and query["count"] == ["reworked"]


def test_the_table_shows_every_count_and_indicator():
    keys = [column.key for column in COLUMNS]
    assert sorted(keys) == sorted([*COUNTS, *(indicator.key for indicator in INDICATORS), "average_days"])
    for indicator in INDICATORS:  # each rate after both of its counts
        assert keys.index(indicator.key) > max(
            keys.index(indicator.numerator), keys.index(indicator.denominator)
        )
