"""The bulletin's numbers on the hand-made cases of ``test_bulletin_data`` (every expected value counted by hand)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest
from django.utils import translation

from gridgov.command.periods import Period
from gridgov.command.selectors.bulletin import (
    Headline,
    Volume,
    build_bulletin,
    format_change,
    format_points,
    relative_change,
)
from gridgov.command.tests.test_bulletin_data import NOVEMBER, NOW, make_bulletin_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulletin_data(town):
    return make_bulletin_data(town)


@pytest.fixture
def bulletin(bulletin_data):
    with translation.override("en"):
        return build_bulletin(bulletin_data.town.region.towns[0], NOVEMBER, now=NOW)


def test_periods_and_area(bulletin):
    assert bulletin.area_code == "320612100"
    assert bulletin.area_name == "测试镇1"
    assert bulletin.period == Period("month", date(2026, 11, 1), date(2026, 12, 1))
    assert bulletin.previous == Period("month", date(2026, 10, 1), date(2026, 11, 1))
    assert bulletin.generated_at.isoformat() == "2026-12-01T10:00:00+08:00"
    with translation.override("en"):
        assert bulletin.title == "Monthly bulletin of 测试镇1"


def test_headline(bulletin):
    values = {item.key: (item.value, item.previous) for item in bulletin.headline}
    assert values == {
        "received": (5, 3),
        "response_rate": (0.6, 1.0),
        "on_time_rate": (1 / 3, 1.0),  # N1 of N1, N2, N3 (N5 awaits acceptance: not due yet)
        "satisfaction_rate": (0.5, 1.0),
        "average_days": (6.5, 2.0),
        "overdue_now": (2, None),
    }
    with translation.override("en"):
        texts = {item.key: item.change_text for item in bulletin.headline}
    assert texts == {
        "received": "+66.7%",
        "response_rate": "-40.0 pts",
        "on_time_rate": "-66.7 pts",
        "satisfaction_rate": "-50.0 pts",
        "average_days": "+4.5",
        "overdue_now": "—",
    }


def test_volumes_by_channel_and_request_type(bulletin):
    channels = [(v.key, v.count, v.previous, v.change) for v in bulletin.channels]
    # ties (web and hotline both 2) keep the channels' own order
    assert channels == [("web", 2, 1, 1.0), ("hotline", 2, 2, 0.0), ("grid_worker", 1, 0, None)]
    assert [v.label for v in bulletin.channels] == ["Resident web page", "Hotline", "Grid worker patrol"]
    assert sum(v.count for v in bulletin.channels) == bulletin.received == 5
    assert [v.share for v in bulletin.channels] == [0.4, 0.4, 0.2]
    types = [(v.key, v.count, v.previous) for v in bulletin.request_types]
    assert types == [("complaint", 2, 2), ("consultation", 1, 1), ("help", 1, 0), ("suggestion", 1, 0)]


def test_top_categories(bulletin):
    rows = [(v.label, v.count, v.previous, v.change_text) for v in bulletin.categories]
    # road 3 (last month 2); then the ties at 1 in the taxonomy's order, the uncategorised case last
    assert rows == [
        ("Roads and traffic", 3, 2, "+50.0%"),
        ("Sanitation", 1, 0, "—"),
        ("Not yet categorised", 1, 0, "—"),
    ]


def test_daily_volumes_follow_local_days(bulletin):
    assert len(bulletin.daily) == 30
    busy = {d.day.day: d.count for d in bulletin.daily if d.count}
    # M6 (30th, 23:30) is merged and D7 (1 December 00:30 local, still 30 November in UTC) is next month's
    assert busy == {3: 1, 5: 1, 10: 1, 15: 1, 20: 1}


def test_child_areas(bulletin):
    assert bulletin.unit_title == "Village / community"
    rows = [
        (u.label, u.figures.received, u.figures.due, u.figures.resolved_on_time, u.figures.overdue_now)
        for u in bulletin.units
    ]
    assert rows == [("测试村1-1", 3, 3, 1, 1), ("测试村1-2", 2, 0, 0, 1)]


def test_departments(bulletin):
    rows = [
        (u.label, u.figures.received, u.figures.due, u.figures.on_time_rate, u.figures.overdue_now)
        for u in bulletin.departments
    ]
    assert rows == [("测试镇1建设办", 2, 2, 0.5, 0), ("测试镇1司法所", 1, 1, 0.0, 1)]


def test_rankings_of_lagging_units(bulletin):
    ranked = {r.key: [u.label for u in r.units] for r in bulletin.rankings}
    assert ranked == {
        "departments_overdue": ["测试镇1司法所"],
        "areas_overdue": ["测试村1-1", "测试村1-2"],
        "departments_on_time": ["测试镇1司法所", "测试镇1建设办"],
        "areas_on_time": ["测试村1-1"],  # 测试村1-2 has nothing due yet
    }


def test_notable_cases(bulletin):
    groups = {g.key: (g.total, [(c.number, c.note) for c in g.cases]) for g in bulletin.notable}
    assert groups == {
        "urgent": (1, [("N3", "")]),
        "reworked": (2, [("N2", "reopened 1 times"), ("N4", "")]),
        # O1 was reported in October but supervised in November; N4's order came in December
        "supervised": (2, [("N3", "supervised on 2026-11-12"), ("O1", "supervised on 2026-11-02")]),
        "overdue": (2, [("N3", "overdue 12 days"), ("N5", "overdue 10 days")]),
    }
    first = bulletin.notable[0].cases[0]
    assert (first.title, first.place, first.status, first.category) == (
        "N3 路灯不亮",
        "测试村1-1 / 测试村1-1第2网格",
        "In progress",
        "Sanitation",
    )


def test_no_personal_data_in_the_bulletin(bulletin):
    text = repr(asdict(bulletin))
    assert "张三" not in text
    assert "13800000000" not in text
    assert "幸福路" not in text


def test_district_bulletin_counts_both_towns(bulletin_data):
    district = bulletin_data.town.region.district
    result = build_bulletin(district, NOVEMBER, now=NOW)
    assert result.received == 6
    assert [(u.label, u.figures.received) for u in result.units] == [("测试镇1", 5), ("测试镇2", 1)]
    assert result.notable[0].cases[0].place == "测试镇1 / 测试村1-1第2网格"


def test_empty_area_gives_zeros(town):
    result = build_bulletin(town.region.towns[1], NOVEMBER, now=NOW)
    assert result.received == 0
    assert result.channels == [] and result.categories == []
    assert {item.key: item.value for item in result.headline}["response_rate"] is None
    assert all(group.total == 0 for group in result.notable)


def test_change_helpers():
    assert relative_change(3, 2) == 0.5
    assert relative_change(3, 0) is None
    assert format_change(-0.25) == "-25.0%"
    assert format_change(None) == "—"
    with translation.override("en"):
        assert format_points(0.023) == "+2.3 pts"
    assert Volume("k", "K", 4, 5).change_text == "-20.0%"
    assert Headline("d", "D", "days", 3.0, 4.5).change_text == "-1.5"
