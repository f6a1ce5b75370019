"""The verbs of leaders and dispatchers on an alert: who may, which status they lead to, and the timeline rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.alerts import actions
from gridgov.alerts.models import Alert, AlertEvent
from gridgov.alerts.scan import scan
from gridgov.alerts.tests.conftest import NOW
from gridgov.core.exceptions import InvalidTransition
from gridgov.core.models import AppendOnlyError, AuditEntry
from gridgov.testing.factories import UserFactory, grant

DAY = timedelta(days=1)
PHONE = "13812345678"


@pytest.fixture
def alert(report, rules, town) -> Alert:
    """An open repeat-dispute alert in the first grid of the first town."""
    report(ago=20 * DAY, phone=PHONE)
    report(ago=1 * DAY, phone=PHONE)
    scan(actor=ensure_system_user(), now=NOW)
    return Alert.objects.get()


def _rows(alert: Alert) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            event.verb,
            event.actor.username if event.actor else "",
            event.from_status,
            event.to_status,
            event.note,
        )
        for event in alert.events.select_related("actor").order_by("at", "id")
    ]


@pytest.mark.django_db
def test_acknowledge_follow_up_close(alert, town):
    system = ensure_system_user().username

    alert = actions.acknowledge_alert(actor=town.leader, alert=alert)
    assert alert.status == "acknowledged" and alert.acknowledged_at is not None

    alert = actions.follow_up_alert(actor=town.dispatcher, alert=alert, note="已联系村调解委员会上门了解")
    alert = actions.follow_up_alert(actor=town.dispatcher, alert=alert, note="双方同意周五到村部调解")
    assert alert.status == "following"

    alert = actions.close_alert(actor=town.leader, alert=alert, conclusion="调解成功，签订协议，三个月后回访")
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.closed_at is not None
    assert alert.conclusion == "调解成功，签订协议，三个月后回访"
    assert _rows(alert) == [
        ("raise", system, "", "open", ""),
        ("acknowledge", "leader", "open", "acknowledged", ""),
        ("follow_up", "dispatcher", "acknowledged", "following", "已联系村调解委员会上门了解"),
        ("follow_up", "dispatcher", "following", "following", "双方同意周五到村部调解"),
        ("close", "leader", "following", "closed", "调解成功，签订协议，三个月后回访"),
    ]


@pytest.mark.django_db
def test_follow_up_on_an_open_alert_acknowledges_it(alert, town):
    alert = actions.follow_up_alert(actor=town.dispatcher, alert=alert, note="已安排网格员核实")
    assert alert.status == "following" and alert.acknowledged_at is not None
    assert _rows(alert)[-1][:4] == ("follow_up", "dispatcher", "open", "following")


@pytest.mark.django_db
def test_texts_are_required(alert, town):
    with pytest.raises(ValidationError) as error:
        actions.follow_up_alert(actor=town.leader, alert=alert, note="  ")
    assert list(error.value.message_dict) == ["note"]
    with pytest.raises(ValidationError) as error:
        actions.close_alert(actor=town.leader, alert=alert, conclusion="")
    assert list(error.value.message_dict) == ["conclusion"]
    assert alert.events.count() == 1


@pytest.mark.django_db
def test_wrong_order_is_refused(alert, town):
    actions.acknowledge_alert(actor=town.leader, alert=alert)
    with pytest.raises(InvalidTransition):
        actions.acknowledge_alert(actor=town.dispatcher, alert=alert)
    actions.close_alert(actor=town.leader, alert=alert, conclusion="误报：同一户两次反映，已答复")
    for verb in (
        lambda: actions.acknowledge_alert(actor=town.leader, alert=alert),
        lambda: actions.follow_up_alert(actor=town.leader, alert=alert, note="补充"),
        lambda: actions.close_alert(actor=town.leader, alert=alert, conclusion="再次关闭"),
    ):
        with pytest.raises(InvalidTransition):
            verb()
    assert [row[0] for row in _rows(alert)] == ["raise", "acknowledge", "close"]


@pytest.mark.django_db
def test_only_leaders_and_dispatchers_over_the_area_act(alert, town):
    other_leader = UserFactory(username="leader2")
    grant(other_leader, Role.LEADER, area=town.region.towns[1])
    for outsider in (town.worker, town.chief, town.handler, town.resident, other_leader):
        with pytest.raises(PermissionDenied):
            actions.acknowledge_alert(actor=outsider, alert=alert)
        with pytest.raises(PermissionDenied):
            actions.close_alert(actor=outsider, alert=alert, conclusion="无")
    assert alert.events.count() == 1

    actions.acknowledge_alert(actor=town.district_dispatcher, alert=alert)  # the district contains the grid
    assert _rows(alert)[-1][:2] == ("acknowledge", "district")


@pytest.mark.django_db
def test_link_a_case(alert, town, report):
    other = report(ago=3 * DAY, phone="13900000000", text="同一条排水沟，对面一户也来反映")
    far = report(ago=3 * DAY, grid=4)

    actions.link_case_to_alert(actor=town.dispatcher, alert=alert, case=other, note="同一纠纷的另一方")

    assert other.pk in alert.links.values_list("case_id", flat=True)
    link = alert.links.get(case=other)
    assert link.added_by == town.dispatcher
    event = alert.events.order_by("id").last()
    assert (event.verb, event.actor, event.note, event.data) == (
        "link_case",
        town.dispatcher,
        "同一纠纷的另一方",
        {"cases": [other.number]},
    )
    with pytest.raises(ValidationError) as error:
        actions.link_case_to_alert(actor=town.dispatcher, alert=alert, case=other)
    assert list(error.value.message_dict) == ["case"]
    with pytest.raises(
        ValidationError
    ):  # a case of the other town: the dispatcher of this town cannot see it
        actions.link_case_to_alert(actor=town.dispatcher, alert=alert, case=far)
    with pytest.raises(PermissionDenied):
        actions.link_case_to_alert(actor=town.worker, alert=alert, case=other)


@pytest.mark.django_db
def test_timeline_is_append_only(alert):
    event = AlertEvent.objects.get(alert=alert)
    event.note = "改写"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AlertEvent.objects.filter(alert=alert).update(note="改写")
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.django_db
def test_raising_needs_the_system_account(alert, town):
    from gridgov.alerts.detectors import detect

    finding = detect(alert.rule, now=NOW)[0]
    with pytest.raises(PermissionDenied):
        actions.raise_or_refresh_alert(actor=town.leader, finding=finding, now=NOW)


@pytest.mark.django_db
def test_save_rule_validates_and_audits(rules, town):
    system = ensure_system_user()
    rule = rules["urgent_cluster"]
    rule.params = {"min_count": 4, "radius_m": 300}
    actions.save_rule(actor=system, rule=rule, changed=["params"])
    rule.refresh_from_db()
    assert rule.params["min_count"] == 4 and rule.params["window_hours"] == 2.0
    entry = AuditEntry.objects.get(verb="update_alert_rule")
    assert (entry.actor, entry.target_id, entry.data["fields"]) == (system, str(rule.pk), ["params"])

    rule.params = {"min_count": 1}
    with pytest.raises(ValidationError) as error:
        actions.save_rule(actor=system, rule=rule)
    assert list(error.value.message_dict) == ["params"]
    with pytest.raises(PermissionDenied):
        actions.save_rule(actor=town.leader, rule=rule)


@pytest.mark.django_db
def test_database_refuses_changes_to_the_timeline_on_postgresql(alert):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE alerts_alertevent SET note = 'x' WHERE alert_id = %s", [alert.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM alerts_alertevent WHERE alert_id = %s", [alert.pk])
