"""Trends of the command center's analysis (selectors.analysis): counts by category, area and channel per day,
week or month in local time, with 环比 and 同比. The numbers are worked out by hand in each test.

The helpers here (``make_case``, ``local``, ``build_trend_cases``) are shared by the other test_analysis_* modules.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from gridgov.cases.choices import CaseStatus, Channel, OwnerLevel
from gridgov.cases.models import Case
from gridgov.command.periods import Period
from gridgov.command.selectors.analysis import (
    CellGrid,
    bucket_starts,
    change_ratio,
    resolve_bucket,
    signed_percent,
    trends,
)
from gridgov.testing.factories import category

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(text: str) -> datetime:
    """An aware datetime from local (Asia/Shanghai) ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_case(
    region,
    *,
    at: str,
    grid: int = 0,
    code: str | None = "road",
    channel: str = Channel.WEB,
    status: str = CaseStatus.REPORTED,
    lat: float | None = None,
    lon: float | None = None,
    title: str = "路面坑洞",
) -> Case:
    """A case written straight with the ORM (analysis only reads): in grid ``grid`` of the region (0–3 in town 1,
    4–7 in town 2), at the grid's centre unless ``lat`` / ``lon`` are given."""
    cell = region.grids[grid]
    town = cell.parent.parent
    if lat is None or lon is None:
        ring = cell.boundary["coordinates"][0]
        lat = ring[0][1] + 0.005
        lon = ring[0][0] + 0.005
    return Case.objects.create(
        number=f"T{next(_numbers):07d}",
        channel=channel,
        category=category(code) if code else None,
        title=title,
        text=title,
        lat=lat,
        lon=lon,
        grid=cell,
        area_path=cell.path,
        owner_level=OwnerLevel.TOWN,
        owner_area=town,
        status=status,
        reported_at=local(at),
    )


def build_trend_cases(region):
    """Week 11 of 2026 (Mon 9 – Sun 15 March) in town 1, with the week before and the same week of 2025.

    This week: road 5 (2 on the 9th, 1 on the 11th, 13th and 15th), sanitation 2 (both on the 10th);
    channels web 3, hotline 2, grid worker 2; village 1 (grids 0, 1) 4, village 2 (grids 2, 3) 3.
    Previous week: road 3 (village 1: 2, village 2: 1). Same week 2025: road 2.
    Not counted: a merged duplicate, a case of town 2, the first minute of the next week.
    """
    this_week = [
        ("2026-03-09 00:10", 0, "road", Channel.WEB),  # 16:10 UTC on Sunday: still Monday here
        ("2026-03-09 10:00", 0, "road", Channel.WEB),
        ("2026-03-11 09:00", 2, "road", Channel.HOTLINE),
        ("2026-03-13 12:00", 1, "road", Channel.WEB),
        ("2026-03-15 23:59", 3, "road", Channel.HOTLINE),
        ("2026-03-10 08:00", 0, "sanitation", Channel.GRID_WORKER),
        ("2026-03-10 18:00", 2, "sanitation", Channel.GRID_WORKER),
    ]
    for at, grid, code, channel in this_week:
        make_case(region, at=at, grid=grid, code=code, channel=channel)
    for at, grid in [("2026-03-02 09:00", 0), ("2026-03-05 15:00", 2), ("2026-03-08 23:30", 0)]:
        make_case(region, at=at, grid=grid)
    for at in ("2025-03-10 09:00", "2025-03-14 17:00"):
        make_case(region, at=at)
    make_case(region, at="2026-03-12 09:00", status=CaseStatus.MERGED)
    make_case(region, at="2026-03-12 09:00", grid=5)
    make_case(region, at="2026-03-16 00:00")
    return region


@pytest.fixture
def trend_cases(region):
    return build_trend_cases(region)


WEEK_11 = Period.containing("week", date(2026, 3, 11))


# --- arithmetic ---------------------------------------------------------------------------------------------------


def test_change_ratio_and_its_text():
    assert change_ratio(5, 3) == pytest.approx(2 / 3)
    assert signed_percent(change_ratio(5, 3)) == "+66.7%"
    assert signed_percent(change_ratio(3, 4)) == "−25.0%"
    assert signed_percent(change_ratio(4, 4)) == "0.0%"
    assert change_ratio(2, 0) is None and signed_percent(None) == "—"


def test_buckets_cover_the_period_from_a_monday_or_a_first():
    march = Period.containing("month", date(2026, 3, 1))  # 1 March 2026 is a Sunday
    assert bucket_starts(march, "week") == [
        date(2026, 2, 23),
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
        date(2026, 3, 30),
    ]
    assert len(bucket_starts(march, "day")) == 31
    assert bucket_starts(Period.containing("year", date(2026, 5, 1)), "month")[-1] == date(2026, 12, 1)
    # Automatic: days up to a month, weeks up to half a year, then months; too many days → weeks.
    assert resolve_bucket(march) == "day"
    assert resolve_bucket(Period("range", date(2026, 1, 1), date(2026, 5, 1))) == "week"
    assert resolve_bucket(Period.containing("year", date(2026, 1, 1))) == "month"
    assert resolve_bucket(Period.containing("year", date(2026, 1, 1)), "day") == "week"
    assert resolve_bucket(march, "month") == "month"


def test_cell_keys_in_python_match_the_formula():
    grid = CellGrid.around(100, 32)
    key = grid.key_of(32.2050, 120.9050)
    lat, lon = grid.centre(key)
    assert abs(lat - 32.2050) <= grid.dlat / 2 and abs(lon - 120.9050) <= grid.dlon / 2
    assert len(set(grid.block(key))) == 9 and key in grid.block(key)


# --- trends -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_trend_by_category_per_day_with_both_comparisons(trend_cases):
    town = trend_cases.towns[0]

    trend = trends(town, WEEK_11, dimension="category")

    assert trend.bucket == "day"
    assert trend.bucket_labels == [f"2026-03-{d:02d}" for d in range(9, 16)]
    road, sanitation = trend.series
    assert (road.key, road.counts) == ("road", [2, 0, 1, 0, 1, 0, 1])
    assert (road.total, road.previous, road.last_year) == (5, 3, 2)
    assert road.change_text == "+66.7%" and road.year_change_text == "+150.0%"
    assert (sanitation.key, sanitation.counts) == ("sanitation", [0, 2, 0, 0, 0, 0, 0])
    assert (sanitation.previous, sanitation.change, sanitation.change_text) == (0, None, "—")
    assert trend.total.counts == [2, 2, 1, 0, 1, 0, 1]
    assert (trend.total.total, trend.total.previous, trend.total.last_year) == (7, 3, 2)
    assert trend.total.change_text == "+133.3%" and trend.total.year_change_text == "+250.0%"
    assert trend.previous_period == Period("week", date(2026, 3, 2), date(2026, 3, 9))
    assert trend.last_year_period == Period("week", date(2025, 3, 9), date(2025, 3, 16))


@pytest.mark.django_db
def test_trend_by_child_area_keeps_every_child_in_order(trend_cases):
    town = trend_cases.towns[0]

    trend = trends(town, WEEK_11, dimension="area", bucket="week")

    assert trend.bucket_labels == ["2026-W11"]
    rows = [(s.key, s.label, s.counts, s.previous) for s in trend.series]
    assert rows == [
        (trend_cases.villages[0].code, "测试村1-1", [4], 2),
        (trend_cases.villages[1].code, "测试村1-2", [3], 1),
    ]
    assert trend.series[0].change_text == "+100.0%" and trend.series[1].change_text == "+200.0%"


@pytest.mark.django_db
def test_trend_by_channel_filtered_to_one_category(trend_cases):
    town = trend_cases.towns[0]

    trend = trends(town, WEEK_11, dimension="channel", category=category("road"))

    assert [(s.key, s.total) for s in trend.series] == [("web", 3), ("hotline", 2)]
    assert trend.total.total == 5
    assert trends(town, WEEK_11, channel=Channel.GRID_WORKER).total.total == 2


@pytest.mark.django_db
def test_trend_of_a_month_per_week_counts_the_sunday_night_in_its_own_week(trend_cases):
    """The week of 9 March starts at 00:00 Shanghai time (16:00 UTC on Sunday): a case at 23:30 on Sunday 8th
    belongs to the week before, one at 00:10 on Monday 9th to the week of the 9th, on SQLite and PostgreSQL."""
    district = trend_cases.district
    march = Period.containing("month", date(2026, 3, 1))

    trend = trends(district, march, dimension="category", bucket="week")

    assert trend.bucket_labels == ["2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"]
    assert trend.total.counts == [0, 3, 7 + 1, 1, 0, 0]  # the district adds town 2's case of the 12th
    assert trend.total.previous == 0 and trend.total.change is None
    towns = trends(district, march, dimension="area", bucket="month")
    assert [(s.label, s.counts) for s in towns.series] == [("测试镇1", [11]), ("测试镇2", [1])]


@pytest.mark.django_db
def test_trend_of_a_grid_is_one_series_and_an_empty_period_is_zeros(trend_cases):
    grid = trend_cases.grids[0]

    trend = trends(grid, WEEK_11, dimension="area")
    assert [(s.label, s.total, s.previous) for s in trend.series] == [(grid.name, 3, 2)]

    empty = trends(trend_cases.towns[0], Period.containing("week", date(2026, 6, 1)))
    assert empty.series == [] and empty.total.counts == [0] * 7


@pytest.mark.django_db
def test_chart_keeps_the_largest_series_and_sums_the_rest(trend_cases):
    trend = trends(trend_cases.towns[0], WEEK_11, dimension="channel")

    chart = trend.chart_series(limit=1)

    assert [(s.key, s.total) for s in chart] == [("web", 3), ("__other__", 4)]
    assert trend.rows()[1] == ("2026-03-10", [0, 2, 0], 2)


@pytest.mark.django_db
@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_local_buckets_agree_with_the_time_zone_truncation(region, bucket):
    """SQLite gets the buckets from date arithmetic (one fixed offset), PostgreSQL from its time-zone truncation:
    both give the local start of the day / ISO week / month, also for the minutes around local midnight, the
    turn of a week and of a year."""
    from django.utils import timezone as dj_timezone

    from gridgov.command.selectors.analysis import _TRUNC, _local_date, bucket_starts, local_bucket

    moments = [
        "2025-12-31T23:59:00+08:00",
        "2026-01-01T00:00:00+08:00",
        "2026-01-04T23:30:00+08:00",  # a Sunday night
        "2026-01-05T00:10:00+08:00",  # the Monday after
        "2026-02-28T16:00:00+08:00",
        "2026-03-01T07:59:00+08:00",  # still 28 February in UTC
        "2026-03-31T23:59:59+08:00",
    ]
    for index, moment in enumerate(moments):
        make_case(region, at=moment, title=f"第{index}件")
    period = Period("range", date(2025, 12, 1), date(2026, 4, 1))
    starts = bucket_starts(period, bucket)
    zone = dj_timezone.get_current_timezone()
    cases = Case.objects.order_by("pk")
    fast = [
        _local_date(v, zone)
        for v in cases.annotate(b=local_bucket("reported_at", bucket, period, starts)).values_list(
            "b", flat=True
        )
    ]
    truncated = [
        _local_date(v, zone)
        for v in cases.annotate(b=_TRUNC[bucket]("reported_at", tzinfo=zone)).values_list("b", flat=True)
    ]
    assert fast == truncated
    expected = {
        "day": [
            "2025-12-31",
            "2026-01-01",
            "2026-01-04",
            "2026-01-05",
            "2026-02-28",
            "2026-03-01",
            "2026-03-31",
        ],
        "week": [
            "2025-12-29",
            "2025-12-29",
            "2025-12-29",
            "2026-01-05",
            "2026-02-23",
            "2026-02-23",
            "2026-03-30",
        ],
        "month": [
            "2025-12-01",
            "2026-01-01",
            "2026-01-01",
            "2026-01-01",
            "2026-02-01",
            "2026-03-01",
            "2026-03-01",
        ],
    }[bucket]
    assert [day.isoformat() for day in fast] == expected


def test_a_zone_with_daylight_saving_keeps_the_time_zone_truncation():
    from django.db.models.functions import TruncDay
    from django.utils import timezone as dj_timezone

    from gridgov.command.selectors.analysis import bucket_starts, local_bucket

    summer = Period("range", date(2026, 3, 1), date(2026, 4, 30))
    with dj_timezone.override(ZoneInfo("Europe/Berlin")):
        assert isinstance(local_bucket("reported_at", "day", summer, bucket_starts(summer, "day")), TruncDay)
