"""The repeat-dispute rule fires exactly when two dispute reports of the same parties or place lie within its window,
and not when any one threshold is missed by a little."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.alerts.detectors import (
    address_similarity,
    detect,
    distinctive_name,
    normalize_address,
    normalize_phone,
)
from gridgov.alerts.tests.conftest import NOW, point, set_params

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
PHONE = "13812345678"


def _found(rule, **kwargs):
    return [
        (finding.key, finding.case_ids, finding.data["reasons"])
        for finding in detect(rule, now=NOW, **kwargs)
    ]


# --- Same parties ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_phone_within_the_window_fires(report, rules, town):
    first = report(ago=20 * DAY, grid=0, phone=PHONE)
    again = report(ago=1 * DAY, grid=1, phone="+86 138-1234-5678")
    report(ago=2 * DAY, grid=0, phone="13900000000")  # someone else

    findings = detect(rules["repeat_dispute"], now=NOW)

    assert [(f.key, f.case_ids, f.data["reasons"]) for f in findings] == [
        (f"repeat:{first.pk}", [first.pk, again.pk], ["phone"])
    ]
    finding = findings[0]
    assert finding.area == town.region.villages[0]  # the smallest area holding both grids
    assert finding.data["pairs"] == [[first.number, again.number, ["phone"]]]
    assert finding.title == "Dispute reported 2 times: 测试村1-1"


@pytest.mark.django_db
def test_window_is_thirty_days_inclusive(report, rules):
    first = report(ago=31 * DAY, phone=PHONE)
    exactly = report(ago=1 * DAY, phone=PHONE)  # 30 days after the first
    assert _found(rules["repeat_dispute"]) == [(f"repeat:{first.pk}", [first.pk, exactly.pk], ["phone"])]


@pytest.mark.django_db
def test_a_day_past_the_window_does_not_fire(report, rules):
    report(ago=31 * DAY + timedelta(minutes=1), phone=PHONE)
    report(ago=1 * DAY, phone=PHONE)
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_reports_hours_apart_are_one_incident_not_a_repeat(report, rules):
    first = report(ago=2 * DAY, phone=PHONE)
    report(ago=2 * DAY - 11 * HOUR - timedelta(minutes=59), phone=PHONE)  # 11 h 59 min after the first
    assert _found(rules["repeat_dispute"]) == []

    later = report(ago=2 * DAY - 12 * HOUR, phone=PHONE)  # 12 h after the first, 1 min after the second
    assert _found(rules["repeat_dispute"]) == [(f"repeat:{first.pk}", [first.pk, later.pk], ["phone"])]


@pytest.mark.django_db
def test_pairs_seen_by_earlier_scans_do_not_fire_again(report, rules):
    """Both reports older than the window: the later one was "again" for the scans of its own time."""
    report(ago=50 * DAY, phone=PHONE)
    report(ago=31 * DAY, phone=PHONE)
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_only_the_rule_categories_count(report, rules):
    report(ago=10 * DAY, phone=PHONE, category="road")
    report(ago=1 * DAY, phone=PHONE, category="road")
    report(ago=1 * DAY, phone=PHONE, category=None)
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_rejected_reports_do_not_count(report, rules, town):
    from gridgov.cases import actions as case_actions

    report(ago=10 * DAY, phone=PHONE)
    rejected = report(ago=1 * DAY, phone=PHONE)
    case_actions.reject_case(actor=town.dispatcher, case=rejected, reason="不属于受理范围")
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_a_phone_on_too_many_reports_identifies_no_party(report, rules):
    """21 reports from one number in the period (a relay number): the number relates none of them."""
    for day in range(21):
        report(ago=(day + 1) * DAY, phone=PHONE, grid=day % 8)
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_staff_phone_identifies_no_party(report, rules, town):
    town.dispatcher.phone = "138 1234 5678"
    town.dispatcher.save()
    report(ago=10 * DAY, phone=PHONE)
    report(ago=1 * DAY, phone=PHONE)
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_same_distinctive_name_fires_but_not_surname_and_honorific(report, rules):
    report(ago=10 * DAY, name="王先生", grid=0)
    report(ago=1 * DAY, name="王先生", grid=4)
    assert _found(rules["repeat_dispute"]) == []

    first = report(ago=9 * DAY, name="李秀英", grid=0)
    again = report(ago=2 * DAY, name="李秀英", grid=4)
    assert _found(rules["repeat_dispute"]) == [(f"repeat:{first.pk}", [first.pk, again.pk], ["name"])]


@pytest.mark.django_db
def test_reporter_named_in_the_other_report_of_the_same_village(report, rules):
    first = report(ago=12 * DAY, name="张建国", grid=0, text="隔壁家的狗天天叫，协商无果")
    other_side = report(ago=3 * DAY, name="", grid=1, text="张建国家在我家门口堆放杂物，多次沟通不理")
    assert _found(rules["repeat_dispute"]) == [
        (f"repeat:{first.pk}", [first.pk, other_side.pk], ["name_in_text"])
    ]


@pytest.mark.django_db
def test_name_in_a_text_of_another_village_does_not_count(report, rules):
    report(ago=12 * DAY, name="张建国", grid=0, text="隔壁家的狗天天叫")
    report(ago=3 * DAY, grid=2, text="张建国家在我家门口堆放杂物")  # grid 2 lies in the second village
    assert _found(rules["repeat_dispute"]) == []


# --- Same place --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_within_one_hundred_metres_fires(report, rules):
    first = report(ago=15 * DAY, at_point=point(0))
    near = report(ago=1 * DAY, at_point=point(0, east_m=99))
    assert _found(rules["repeat_dispute"]) == [(f"repeat:{first.pk}", [first.pk, near.pk], ["place"])]


@pytest.mark.django_db
def test_just_over_one_hundred_metres_does_not_fire(report, rules):
    report(ago=15 * DAY, at_point=point(0))
    report(ago=1 * DAY, at_point=point(0, north_m=101))
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_distance_is_a_parameter(report, rules):
    report(ago=15 * DAY, at_point=point(0))
    report(ago=1 * DAY, at_point=point(0, north_m=140))
    assert _found(set_params(rules["repeat_dispute"], distance_m=150))[0][2] == ["place"]
    assert _found(set_params(rules["repeat_dispute"], distance_m=0)) == []


@pytest.mark.django_db
def test_same_grid_and_similar_address_fires(report, rules):
    first = report(ago=15 * DAY, grid=0, address="北渡村22组15号")
    neighbour = report(ago=1 * DAY, grid=0, address="北渡村 22组 17号")
    report(ago=1 * DAY, grid=0, address="石港镇渔业大队")
    assert _found(rules["repeat_dispute"]) == [(f"repeat:{first.pk}", [first.pk, neighbour.pk], ["address"])]
    assert detect(rules["repeat_dispute"], now=NOW)[0].title == "Dispute reported 2 times: 北渡村 22组 17号"


@pytest.mark.django_db
def test_similar_address_in_another_grid_does_not_fire(report, rules):
    report(ago=15 * DAY, grid=0, address="北渡村22组15号")
    report(ago=1 * DAY, grid=1, address="北渡村22组15号")
    assert _found(rules["repeat_dispute"]) == []


@pytest.mark.django_db
def test_min_reports(report, rules):
    rule = set_params(rules["repeat_dispute"], min_reports=3)
    report(ago=20 * DAY, phone=PHONE)
    report(ago=10 * DAY, phone=PHONE)
    assert _found(rule) == []
    report(ago=1 * DAY, phone=PHONE)
    assert len(_found(rule)[0][1]) == 3


@pytest.mark.django_db
def test_scan_area_limits_the_cases(report, rules, town):
    report(ago=10 * DAY, phone=PHONE, grid=0)
    report(ago=1 * DAY, phone=PHONE, grid=0)
    assert len(_found(rules["repeat_dispute"], within=town.region.towns[0])) == 1
    assert _found(rules["repeat_dispute"], within=town.region.towns[1]) == []


# --- Helpers -----------------------------------------------------------------------------------------------------


def test_phone_normalisation():
    assert normalize_phone("+86 138-1234-5678") == "13812345678"
    assert normalize_phone("0086 13812345678") == "13812345678"
    assert normalize_phone("0513-86001234") == "051386001234"
    assert normalize_phone("110") == ""


def test_distinctive_names():
    assert distinctive_name(" 李秀英 ") == "李秀英"
    assert distinctive_name("王先生") == ""
    assert distinctive_name("匿名") == ""
    assert distinctive_name("张") == ""


def test_address_similarity():
    assert (
        address_similarity(normalize_address("北渡村22组15号"), normalize_address("北渡村 22组 15号")) == 1.0
    )
    assert round(address_similarity("北渡村22组15号", "北渡村22组17号"), 3) == 0.75
    assert address_similarity("北渡村22组15号", "石港镇渔业大队") == 0.0
    assert address_similarity("", "北渡村") == 0.0
