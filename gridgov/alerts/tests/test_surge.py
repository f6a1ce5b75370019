"""The surge rule fires when the last window's count in an area reaches max(min_count, mean + k·sd) of the previous
windows' counts, and not one report below."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.alerts.detectors import detect
from gridgov.alerts.tests.conftest import NOW, set_params

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def _baseline(report, weekly: list[int], *, grid: int = 0, category: str = "road") -> None:
    """``weekly[i]`` reports in the (i+1)-th week before the current one, each in the middle of its week."""
    for index, count in enumerate(weekly):
        for n in range(count):
            report(ago=(index + 1) * WEEK + 3 * DAY + n * timedelta(hours=1), grid=grid, category=category)


def _current(report, count: int, *, grid: int = 0, category: str = "road") -> list:
    return [report(ago=timedelta(hours=2 + 5 * n), grid=grid, category=category) for n in range(count)]


def _keys(rule, **kwargs) -> list[str]:
    return [finding.key for finding in detect(rule, now=NOW, **kwargs)]


@pytest.mark.django_db
def test_min_count_is_the_floor_of_a_quiet_area(report, rules, town):
    """Baseline one a week (mean 1, sd 0): the threshold is min_count 5."""
    _baseline(report, [1] * 8)
    _current(report, 4)
    assert _keys(rules["surge"]) == []

    _current(report, 1)
    town0, village0 = town.region.towns[0], town.region.villages[0]
    findings = detect(rules["surge"], now=NOW)
    assert [f.key for f in findings] == [f"surge:{town0.code}:road", f"surge:{village0.code}:road"]
    town_finding = findings[0]
    assert town_finding.area == town0
    assert len(town_finding.case_ids) == 5
    assert town_finding.data["count"] == 5
    assert town_finding.data["baseline"] == [1] * 8
    assert (town_finding.data["mean"], town_finding.data["sd"], town_finding.data["threshold"]) == (
        1.0,
        0.0,
        5,
    )
    assert town_finding.title == "Surge of Roads and traffic in 测试镇1: 5 reports in 7 days"


@pytest.mark.django_db
def test_mean_plus_k_standard_deviations(report, rules, town):
    """Baseline 1, 3, 1, 3…: mean 2, population sd 1; k = 2 → threshold 4 (min_count 1 out of the way)."""
    rule = set_params(rules["surge"], min_count=1, levels=["village"])
    _baseline(report, [1, 3, 1, 3, 1, 3, 1, 3])
    _current(report, 3)
    assert _keys(rule) == []

    _current(report, 1)
    findings = detect(rule, now=NOW)
    assert [f.key for f in findings] == [f"surge:{town.region.villages[0].code}:road"]
    assert (findings[0].data["mean"], findings[0].data["sd"], findings[0].data["threshold"]) == (
        2.0,
        1.0,
        4.0,
    )

    assert _keys(set_params(rule, k=2.5)) == []  # threshold 4.5


@pytest.mark.django_db
def test_the_window_is_half_open(report, rules):
    """A report exactly seven days before the scan belongs to the previous week, not the current one."""
    rule = set_params(rules["surge"], min_count=2, levels=["town"])
    _current(report, 1)
    report(ago=WEEK, category="road")
    assert _keys(rule) == []
    report(ago=WEEK - timedelta(seconds=1), category="road")
    assert len(_keys(rule)) == 1


@pytest.mark.django_db
def test_counts_are_per_category_and_area(report, rules, town):
    rule = set_params(rules["surge"], min_count=3, levels=["town", "village"])
    _current(report, 2, grid=0)
    _current(report, 1, grid=2)  # the other village of the same town
    _current(report, 2, grid=0, category="sanitation")
    _current(report, 2, grid=4)  # the other town
    assert _keys(rule) == [f"surge:{town.region.towns[0].code}:road"]


@pytest.mark.django_db
def test_categories_and_area_of_the_rule(report, rules, town):
    from gridgov.cases.models import Category

    rule = set_params(rules["surge"], min_count=2, levels=["town"])
    _current(report, 2, grid=0)
    _current(report, 2, grid=4, category="sanitation")
    assert len(_keys(rule)) == 2
    rule.categories.set([Category.objects.get(code="sanitation")])
    assert _keys(rule) == [f"surge:{town.region.towns[1].code}:sanitation"]
    rule.categories.clear()
    rule.area = town.region.towns[0]
    rule.save()
    assert _keys(rule) == [f"surge:{town.region.towns[0].code}:road"]


@pytest.mark.django_db
def test_merged_duplicates_and_uncategorised_reports_do_not_count(report, rules, town):
    from gridgov.cases import actions as case_actions

    rule = set_params(rules["surge"], min_count=3, levels=["town"])
    master, duplicate = _current(report, 2)
    report(ago=DAY, category=None)
    case_actions.merge_case(actor=town.dispatcher, case=duplicate, master=master)
    _current(report, 1)
    assert _keys(rule) == []
    _current(report, 1)
    assert len(_keys(rule)) == 1


@pytest.mark.django_db
def test_counted_in_sql_not_per_case(report, rules, django_assert_max_num_queries):
    rule = set_params(rules["surge"], levels=["town", "village"])
    _baseline(report, [3] * 8)
    _current(report, 4)
    rule = type(rule).objects.prefetch_related("categories").get(pk=rule.pk)
    with django_assert_max_num_queries(3):  # the GROUP BY, the areas, no finding to fetch cases for
        assert _keys(rule) == []
