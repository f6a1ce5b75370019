"""The urgent-cluster rule fires for three urgent reports within 500 m of the latest and in the two hours before it,
and not when one of them is a little too far, too early or not urgent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.alerts.detectors import detect
from gridgov.alerts.tests.conftest import NOW, point, set_params
from gridgov.cases.choices import Priority

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _urgent(report, ago: timedelta, east_m: float = 0.0, north_m: float = 0.0, grid: int = 0, **extra):
    values = {"priority": Priority.URGENT, "category": "safety", "text": "路边电线杆倾斜，随时可能倒下"}
    values.update(extra)
    return report(ago=ago, at_point=point(grid, east_m, north_m), **values)


def _found(rule):
    return [(finding.key, finding.case_ids) for finding in detect(rule, now=NOW)]


@pytest.mark.django_db
def test_three_urgent_reports_close_together_fire(report, rules, town):
    first = _urgent(report, 2 * HOUR + 30 * MINUTE, east_m=-200)
    second = _urgent(report, 1 * HOUR + 40 * MINUTE, north_m=300)
    third = _urgent(report, 40 * MINUTE)
    findings = detect(rules["urgent_cluster"], now=NOW)
    assert [(f.key, f.case_ids) for f in findings] == [
        (f"cluster:{first.pk}", [first.pk, second.pk, third.pk])
    ]
    assert findings[0].area == town.region.grids[0]
    assert findings[0].data["count"] == 3
    assert findings[0].title == "3 urgent reports within 500 m in 2 hours: 测试村1-1第1网格"


@pytest.mark.django_db
def test_two_are_not_a_cluster(report, rules):
    _urgent(report, 1 * HOUR)
    _urgent(report, 30 * MINUTE, east_m=100)
    assert _found(rules["urgent_cluster"]) == []


@pytest.mark.django_db
def test_one_of_three_too_far(report, rules):
    _urgent(report, 1 * HOUR, east_m=501)
    _urgent(report, 50 * MINUTE, east_m=-100)
    _urgent(report, 30 * MINUTE)
    assert _found(rules["urgent_cluster"]) == []


@pytest.mark.django_db
def test_two_hours_inclusive(report, rules):
    first = _urgent(report, 2 * HOUR + 30 * MINUTE)
    _urgent(report, 1 * HOUR)
    assert _found(rules["urgent_cluster"]) == []
    last = _urgent(report, 30 * MINUTE, north_m=50)  # exactly two hours after the first
    assert [ids for _key, ids in _found(rules["urgent_cluster"])] == [[first.pk, last.pk - 1, last.pk]]


@pytest.mark.django_db
def test_one_of_three_a_minute_too_early(report, rules):
    _urgent(report, 2 * HOUR + 31 * MINUTE)
    _urgent(report, 1 * HOUR)
    _urgent(report, 30 * MINUTE)
    assert _found(rules["urgent_cluster"]) == []


@pytest.mark.django_db
def test_normal_priority_does_not_count(report, rules):
    _urgent(report, 1 * HOUR)
    _urgent(report, 50 * MINUTE)
    _urgent(report, 30 * MINUTE, priority=Priority.NORMAL)
    assert _found(rules["urgent_cluster"]) == []


@pytest.mark.django_db
def test_reports_without_coordinates_do_not_count(report, rules):
    _urgent(report, 1 * HOUR)
    _urgent(report, 50 * MINUTE)
    report(ago=30 * MINUTE, grid=0, priority=Priority.URGENT, category="safety")
    assert _found(rules["urgent_cluster"]) == []


@pytest.mark.django_db
def test_clusters_older_than_the_lookback_are_left_alone(report, rules):
    _urgent(report, 26 * HOUR)
    _urgent(report, 25 * HOUR + 30 * MINUTE)
    _urgent(report, 25 * HOUR)
    assert _found(rules["urgent_cluster"]) == []
    assert len(_found(set_params(rules["urgent_cluster"], lookback_hours=26))) == 1


@pytest.mark.django_db
def test_parameters_tune_the_cluster(report, rules):
    _urgent(report, 1 * HOUR)
    _urgent(report, 30 * MINUTE, east_m=700)
    assert _found(rules["urgent_cluster"]) == []
    rule = set_params(rules["urgent_cluster"], min_count=2, radius_m=800)
    assert len(_found(rule)) == 1


@pytest.mark.django_db
def test_overlapping_groups_form_one_cluster(report, rules):
    """Two groups of three sharing reports (a chain along a road) are one situation."""
    ids = [_urgent(report, (100 - 10 * n) * MINUTE, east_m=200 * n).pk for n in range(5)]
    assert _found(rules["urgent_cluster"]) == [(f"cluster:{ids[0]}", ids)]
