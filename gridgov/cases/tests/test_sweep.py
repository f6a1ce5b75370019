from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from gridgov.accounts.actions import ensure_system_user
from gridgov.cases import actions
from gridgov.cases.choices import AlertLevel
from gridgov.cases.sweep import sweep_deadlines
from gridgov.dispatch import actions as dispatch_actions
from gridgov.notifications.models import Notification
from gridgov.testing.factories import category

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_sweep_colours_once_and_notifies(town):
    with mock.patch("django.utils.timezone.now", return_value=MONDAY):
        case = actions.report_case(
            actor=town.resident, channel="web", text="路灯不亮", grid=town.region.grids[0]
        )
        case = actions.accept_case(actor=town.dispatcher, case=case, category=category("road"))
        case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
    system = ensure_system_user()

    result = sweep_deadlines(actor=system, now=datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))
    assert result.changed == {"yellow": 0, "red": 0, "normal": 0}

    friday = datetime(2026, 11, 6, 9, 0, tzinfo=SHANGHAI)  # 4 of 5 working days used
    assert sweep_deadlines(actor=system, now=friday).changed["yellow"] == 1
    case.refresh_from_db()
    assert case.alert_level == AlertLevel.YELLOW
    assert Notification.objects.filter(recipient=town.handler, kind="due_soon").count() == 1
    assert sweep_deadlines(actor=system, now=friday).changed["yellow"] == 0  # idempotent

    late = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    assert sweep_deadlines(actor=system, now=late).changed["red"] == 1
    assert Notification.objects.filter(recipient=town.dispatcher, kind="overdue").count() == 1
    assert Notification.objects.filter(recipient=town.leader, kind="overdue").count() == 1
    assert case.events.filter(verb="alert").count() == 2


@pytest.mark.django_db
def test_command_runs(town, capsys):
    call_command("sweep_overdue")
    assert "0" in capsys.readouterr().out
