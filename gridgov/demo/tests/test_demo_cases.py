"""The demo cases: hundreds of cases in every status, the three origin stories, and a second run adds nothing.

Loading the demo takes a while, so the module loads it once (inside a transaction rolled back at the end) and
every test reads that data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import django.utils.timezone
import pytest
from django.core.management import call_command
from django.db import transaction

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.models import User
from gridgov.cases.choices import AlertLevel, CaseStatus, Channel, OwnerLevel, Priority, Satisfaction
from gridgov.cases.models import Case, CaseEvent, TimeRequest
from gridgov.core.models import AuditEntry
from gridgov.demo import cases as demo_cases
from gridgov.demo.loader import load_demo
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.notifications.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORIGINAL_NOW = django.utils.timezone.now


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo region with its cases, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = load_demo(actor=ensure_system_user())
        yield report
        transaction.set_rollback(True)


def _verbs(case: Case) -> list[str]:
    return list(case.events.order_by("at", "id").values_list("verb", flat=True))


@pytest.mark.django_db
def test_hundreds_of_cases_in_every_status(demo):
    cases = Case.objects.filter(text__in=demo_cases.demo_case_texts())
    assert demo.cases.total == cases.count() >= 250
    assert demo.cases.created == demo.cases.total
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert demo.cases.by_status == {
        status: cases.filter(status=status).count() for status in sorted(CaseStatus.values)
    }

    city = Area.objects.get(level=AreaLevel.CITY)
    assert all(path.startswith(city.path) for path in cases.values_list("area_path", flat=True))
    towns = Area.objects.filter(level=AreaLevel.TOWN)
    assert all(cases.filter(area_path__startswith=town.path).exists() for town in towns)
    assert cases.values("grid").distinct().count() >= 100

    # Deadlines coloured for now, a few urgent cases, and the side roads of the workflow.
    assert cases.filter(alert_level=AlertLevel.RED).exists()
    assert cases.filter(alert_level=AlertLevel.YELLOW).exists()
    assert cases.filter(priority=Priority.URGENT).count() >= 3
    verbs = set(CaseEvent.objects.filter(case__in=cases).values_list("verb", flat=True))
    for verb in (
        "escalate", "return", "supervise", "urge", "request_extension", "decide_extension", "suspend",
        "resume", "verify_redo", "redo_in_grid", "rate_dissatisfied", "merge", "reject", "sign_helper",
    ):  # fmt: skip
        assert verb in verbs, verb
    assert cases.filter(owner_level=OwnerLevel.DISTRICT).exists()
    assert TimeRequest.objects.filter(case__in=cases, kind=TimeRequest.KIND_EXTENSION).exists()
    assert set(cases.values_list("channel", flat=True)) >= {Channel.WEB, Channel.HOTLINE, Channel.GRID_WORKER}
    # Supervision (督办) is the demo leader's.
    supervisors = set(CaseEvent.objects.filter(verb="supervise").values_list("actor__username", flat=True))
    assert supervisors == {"leader"}
    # The demo resident sees their own cases.
    assert cases.filter(reporter__username="resident").count() >= 5


@pytest.mark.django_db
def test_histories_are_in_the_past_and_in_order(demo):
    assert django.utils.timezone.now is ORIGINAL_NOW  # the simulated clock is gone
    now = django.utils.timezone.now()
    cases = Case.objects.filter(text__in=demo_cases.demo_case_texts())
    first = cases.order_by("reported_at").first()
    assert first is not None and first.reported_at >= now - timedelta(days=demo_cases.HISTORY_DAYS + 1)
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    for case in cases.prefetch_related("events")[:80]:
        events = sorted(case.events.all(), key=lambda event: event.id)
        assert [event.at for event in events] == sorted(event.at for event in events), case.number
        assert events[0].verb == "report" and events[0].at == case.reported_at
        assert case.created_at == case.reported_at  # backdated like the history


@pytest.mark.django_db
def test_origin_stories_walk_the_whole_loop(demo):
    mirror = Case.objects.get(text=demo_cases.STORY_MIRROR)
    assert mirror.status == CaseStatus.CLOSED and mirror.satisfaction == Satisfaction.SATISFIED
    assert mirror.channel == Channel.HOTLINE and "北渡村22组" in mirror.grid.aliases
    assert _verbs(mirror) == [
        "report", "accept", "dispatch", "sign", "comment", "resolve", "verify_ok", "rate_satisfied",
    ]  # fmt: skip
    dispatch = mirror.events.get(verb="dispatch")
    assert mirror.assignments.get().department.name == "石港镇建设办"
    assert dispatch.actor.username == "dispatcher"
    assert mirror.events.get(verb="verify_ok").actor.username == "gridworker"

    boundary = Case.objects.get(text=demo_cases.STORY_BOUNDARY)
    assert boundary.status == CaseStatus.CLOSED and "花市街村4组" in boundary.grid.aliases
    assert _verbs(boundary) == ["report", "escalate", "comment", "resolve_in_grid", "verify_ok", "close"]
    assert "带案入格" in boundary.events.get(verb="comment").note
    assert boundary.owner_level == OwnerLevel.GRID

    road = Case.objects.get(text=demo_cases.STORY_ROAD)
    assert road.status == CaseStatus.CLOSED and road.priority == Priority.URGENT
    assert road.grid.parent.name == "石西社区" and road.reporter.username == "resident"
    assert _verbs(road) == [
        "report", "accept", "dispatch", "sign", "comment", "resolve", "verify_ok", "rate_satisfied",
    ]  # fmt: skip
    reported = road.reported_at.astimezone(SHANGHAI)
    resolved = road.events.get(verb="resolve").at.astimezone(SHANGHAI)
    assert (
        reported.hour >= 19 and resolved.date() == reported.date() + timedelta(days=1) and resolved.hour < 7
    )


@pytest.mark.django_db
def test_accounts_created_for_the_cases_cannot_sign_in(demo):
    created = User.objects.filter(username__regex=r"^(handler|dispatcher|gridworker)-")
    assert created.exists()
    assert not any(user.has_usable_password() for user in created)
    assert all(user.grants.count() == 1 for user in created)
    assert AuditEntry.objects.filter(verb="create_user", summary__startswith="handler-").exists()


@pytest.mark.django_db
def test_a_second_run_adds_nothing(demo, capsys):
    def snapshot() -> dict[str, int]:
        return {
            "cases": Case.objects.count(),
            "events": CaseEvent.objects.count(),
            "users": User.objects.count(),
            "audit": AuditEntry.objects.count(),
            "notifications": Notification.objects.count(),
            "requests": TimeRequest.objects.count(),
        }

    before = snapshot()
    call_command("load_demo")  # commands speak the installation's language (zh-hans)
    assert snapshot() == before
    assert f"演示事件：{demo.cases.total}个（本次新建0个）" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_case_texts_do_not_depend_on_the_day_of_loading(demo, django_db_blocker):
    """The texts are the idempotency marker: loading on a Monday morning or a Saturday night plans the same ones."""

    def texts_at(moment: datetime) -> set[str]:
        with mock.patch.object(demo_cases, "reference_moment", return_value=moment):
            return demo_cases.demo_case_texts()

    with django_db_blocker.unblock():
        monday = texts_at(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
        saturday = texts_at(datetime(2026, 11, 28, 22, 0, tzinfo=SHANGHAI))
        assert monday == saturday == demo_cases.demo_case_texts()
        assert len(monday) == demo.cases.total
