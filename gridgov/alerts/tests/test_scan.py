"""The scanner: raises each situation once, extends an open alert with new cases, leaves concluded situations
alone, tells the leaders and dispatchers of the area, and runs from the command line."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.alerts import actions
from gridgov.alerts.models import Alert, AlertCase, AlertEvent
from gridgov.alerts.notices import NOTIFICATION_KIND
from gridgov.alerts.scan import scan
from gridgov.alerts.tests.conftest import NOW, point
from gridgov.cases.choices import Priority
from gridgov.notifications.models import Notification
from gridgov.testing.factories import UserFactory, grant

DAY = timedelta(days=1)
PHONE = "13812345678"


def _counts() -> tuple[int, int, int, int]:
    return (
        Alert.objects.count(),
        AlertCase.objects.count(),
        AlertEvent.objects.count(),
        Notification.objects.filter(kind=NOTIFICATION_KIND).count(),
    )


def _evidence(alert: Alert) -> list[int]:
    return sorted(alert.links.values_list("case_id", flat=True))


@pytest.mark.django_db
def test_scan_raises_once_and_rescanning_changes_nothing(report, rules, town):
    system = ensure_system_user()
    first = report(ago=20 * DAY, phone=PHONE)
    again = report(ago=1 * DAY, phone=PHONE)

    result = scan(actor=system, now=NOW)

    assert [(rule.code, outcome.outcome) for rule, outcome in result.results] == [
        ("repeat_dispute", "raised")
    ]
    alert = Alert.objects.get()
    assert (alert.rule.code, alert.dedup_key, alert.status, alert.severity) == (
        "repeat_dispute",
        f"repeat:{first.pk}",
        "open",
        "medium",
    )
    assert alert.area == town.region.grids[0]
    assert alert.raised_at == NOW
    assert _evidence(alert) == [first.pk, again.pk]
    assert list(alert.events.values_list("verb", "actor", "to_status")) == [("raise", system.pk, "open")]
    assert alert.events.get().data["cases"] == [first.number, again.number]
    before = _counts()

    second = scan(actor=system, now=NOW)
    third = scan(actor=system, now=NOW + timedelta(hours=3))

    assert [outcome.outcome for _rule, outcome in second.results + third.results] == [
        "unchanged",
        "unchanged",
    ]
    assert _counts() == before


@pytest.mark.django_db
def test_new_alert_notifies_leaders_and_dispatchers_over_the_area(report, rules, town):
    other_leader = UserFactory(username="leader2")
    grant(other_leader, Role.LEADER, area=town.region.towns[1])
    report(ago=20 * DAY, phone=PHONE)
    report(ago=1 * DAY, phone=PHONE)

    scan(actor=ensure_system_user(), now=NOW)

    alert = Alert.objects.get()
    told = Notification.objects.filter(kind=NOTIFICATION_KIND)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["dispatcher", "district", "leader"]
    assert {(n.title, n.link, n.target_id) for n in told} == {
        (alert.title, f"/alerts/{alert.pk}/", str(alert.pk))
    }


@pytest.mark.django_db
def test_a_new_case_extends_the_open_alert(report, rules, town):
    system = ensure_system_user()
    first = report(ago=20 * DAY, phone=PHONE)
    second = report(ago=5 * DAY, phone=PHONE)
    scan(actor=system, now=NOW - 4 * DAY)
    alert = Alert.objects.get()
    assert _evidence(alert) == [first.pk, second.pk]
    notified = Notification.objects.filter(kind=NOTIFICATION_KIND).count()

    third = report(
        ago=1 * DAY, phone=PHONE, grid=4
    )  # the other town: the alert's area widens to the district
    result = scan(actor=system, now=NOW)

    assert [outcome.outcome for _rule, outcome in result.results] == ["extended"]
    alert.refresh_from_db()
    assert Alert.objects.count() == 1
    assert _evidence(alert) == [first.pk, second.pk, third.pk]
    assert alert.area == town.region.district
    assert alert.title == "Dispute reported 3 times: 通州区"
    assert list(alert.events.values_list("verb", flat=True)) == ["raise", "link_case"]
    assert alert.events.last().data == {"cases": [third.number], "by": "scan"}
    # The leaders and dispatchers over the widened area are told which cases were added.
    told = Notification.objects.filter(kind=NOTIFICATION_KIND).order_by("pk")[notified:]
    assert sorted(n.recipient.username for n in told) == ["district"]
    assert {(n.title, n.body, n.link) for n in told} == {
        (f"Alert updated: {alert.title}", f"New cases: {third.number}", f"/alerts/{alert.pk}/")
    }
    assert told[0].data["cases"] == [third.number]
    # Scanning again finds nothing new and tells no one.
    before = Notification.objects.count()
    assert [o.outcome for _r, o in scan(actor=system, now=NOW).results] == ["unchanged"]
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_the_first_case_leaving_the_window_keeps_the_same_alert(report, rules):
    """A repeat situation outlives its first case: recognised by the evidence it shares, not only by its key."""
    system = ensure_system_user()
    report(ago=40 * DAY, phone=PHONE)
    report(ago=25 * DAY, phone=PHONE)
    scan(actor=system, now=NOW - 24 * DAY)
    alert = Alert.objects.get()

    report(ago=1 * DAY, phone=PHONE)  # 24 days after the second: related to it, not to the first
    result = scan(actor=system, now=NOW)

    assert [outcome.outcome for _rule, outcome in result.results] == ["extended"]
    assert Alert.objects.count() == 1 and alert.links.count() == 3


@pytest.mark.django_db
def test_a_closed_situation_is_not_raised_again_until_a_new_case_comes(report, rules, town):
    system = ensure_system_user()
    first = report(ago=20 * DAY, phone=PHONE)
    second = report(ago=2 * DAY, phone=PHONE)
    scan(actor=system, now=NOW)
    closed = actions.close_alert(
        actor=town.leader, alert=Alert.objects.get(), conclusion="已调解，双方签订协议"
    )

    result = scan(actor=system, now=NOW)
    assert [outcome.outcome for _rule, outcome in result.results] == ["skipped"]
    assert Alert.objects.count() == 1

    third = report(ago=1 * DAY, phone=PHONE)
    result = scan(actor=system, now=NOW)
    assert [outcome.outcome for _rule, outcome in result.results] == ["raised"]
    fresh = Alert.objects.exclude(pk=closed.pk).get()
    assert fresh.status == "open"
    assert _evidence(fresh) == [first.pk, second.pk, third.pk]
    closed.refresh_from_db()
    assert closed.status == "closed" and _evidence(closed) == [first.pk, second.pk]


@pytest.mark.django_db
def test_surge_extends_then_cools_down_after_closing(report, rules, town):
    from gridgov.alerts.tests.conftest import set_params

    set_params(rules["surge"], min_count=2, levels=["town"], cooldown_days=7)
    system = ensure_system_user()
    cases = [report(ago=timedelta(days=3, hours=n), category="road") for n in range(2)]
    scan(actor=system, now=NOW, rules=["surge"])
    alert = Alert.objects.get()
    assert alert.dedup_key == f"surge:{town.region.towns[0].code}:road"
    assert _evidence(alert) == [case.pk for case in cases]

    newer = report(ago=DAY, category="road")
    result = scan(actor=system, now=NOW, rules=["surge"])
    assert [outcome.outcome for _rule, outcome in result.results] == ["extended"]
    assert alert.links.count() == 3
    alert.refresh_from_db()
    assert alert.data["count"] == 3

    with mock.patch("django.utils.timezone.now", return_value=NOW):
        actions.close_alert(actor=town.dispatcher, alert=alert, conclusion="路面施工导致，已协调施工单位")
    report(ago=timedelta(hours=1), category="road")
    result = scan(actor=system, now=NOW, rules=["surge"])
    assert [outcome.outcome for _rule, outcome in result.results] == [
        "skipped"
    ]  # closed less than 7 days ago

    # A week later the surge is back: 4 reports against last week's 4 and nothing before (mean 0.5, sd 1.32,
    # threshold 3.15), and the cooldown is over.
    later = NOW + 8 * DAY
    for n in range(4):
        report(ago=-7 * DAY - timedelta(hours=n), category="road")
    result = scan(actor=system, now=later, rules=["surge"])
    assert [outcome.outcome for _rule, outcome in result.results] == ["raised"]
    assert Alert.objects.filter(status="open").get().links.count() == 4
    assert newer.pk not in _evidence(Alert.objects.filter(status="open").get())


@pytest.mark.django_db
def test_a_cluster_grows_and_the_scan_can_be_limited(report, rules, town):
    system = ensure_system_user()

    def urgent(minutes: int, east_m: float):
        return report(
            ago=timedelta(minutes=minutes),
            at_point=point(0, east_m),
            priority=Priority.URGENT,
            category="safety",
            text="化工厂方向冒浓烟，有刺鼻气味",
        )

    ids = [urgent(90, 0).pk, urgent(60, 100).pk, urgent(30, 200).pk]
    assert scan(actor=system, now=NOW, area=town.region.towns[1]).results == []
    scan(actor=system, now=NOW, area=town.region.towns[0])
    alert = Alert.objects.get(rule__code="urgent_cluster")
    assert (alert.severity, alert.area, _evidence(alert)) == ("high", town.region.grids[0], ids)

    fourth = urgent(5, 150)
    scan(actor=system, now=NOW)
    assert _evidence(alert) == [*ids, fourth.pk]
    assert Alert.objects.filter(rule__code="urgent_cluster").count() == 1


@pytest.mark.django_db
def test_inactive_rules_are_not_run(report, rules):
    rule = rules["repeat_dispute"]
    rule.is_active = False
    rule.save()
    report(ago=20 * DAY, phone=PHONE)
    report(ago=1 * DAY, phone=PHONE)
    assert scan(actor=ensure_system_user(), now=NOW).results == []


@pytest.mark.django_db
def test_a_rule_with_broken_parameters_does_not_stop_the_others(report, rules, capsys):
    type(rules["surge"]).objects.filter(code="surge").update(params={"k": "high"})  # bypassing the admin
    report(ago=20 * DAY, phone=PHONE)
    report(ago=1 * DAY, phone=PHONE)

    call_command("alerts", "scan", "--now", "2026-11-20T12:00:00")

    captured = capsys.readouterr()
    assert "Rule surge skipped: its parameters are invalid." in captured.err
    assert "3 rules scanned at 2026-11-20T12:00:00+08:00: 1 raised" in captured.out


@pytest.mark.django_db
def test_only_the_system_account_raises(report, rules, town):
    with pytest.raises(PermissionDenied):
        scan(actor=town.leader, now=NOW)


@pytest.mark.django_db
def test_command_prints_what_it_raised(report, rules, town, capsys):
    first = report(ago=20 * DAY, phone=PHONE)
    again = report(ago=1 * DAY, phone=PHONE)

    call_command("alerts", "scan", "--now", "2026-11-20T12:00:00", "--area", town.region.towns[0].code)
    out = capsys.readouterr().out
    alert = Alert.objects.get()
    assert f"Raised #{alert.pk} [repeat_dispute] {town.region.grids[0].code}: " in out
    assert f"({first.number}, {again.number})" in out
    assert "3 rules scanned at 2026-11-20T12:00:00+08:00: 1 raised, 0 extended, 0 unchanged" in out

    call_command("alerts", "scan", "--now", "2026-11-20T12:00:00")
    out = capsys.readouterr().out
    assert "Raised" not in out
    assert "0 raised, 0 extended, 1 unchanged, 0 already concluded." in out
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_command_refuses_bad_input(rules):
    with pytest.raises(CommandError, match="No area"):
        call_command("alerts", "scan", "--area", "999")
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("alerts", "scan", "--now", "yesterday")
