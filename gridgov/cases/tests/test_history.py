"""Closing imported history (``cases.history.actions.close_historical``): a work order another system already
finished is closed at once with the file's times, by whoever may import into the center holding it, through the
workflow's ``close_historical`` transition, with one timeline row and no notification."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.choices import Role
from gridgov.cases import actions
from gridgov.cases.choices import AlertLevel, CaseStatus, Channel
from gridgov.cases.history.actions import close_historical
from gridgov.cases.models import Case
from gridgov.cases.workflow import Transition, available, target_status
from gridgov.core.exceptions import Conflict, InvalidTransition
from gridgov.intake.models import Submission
from gridgov.notifications.models import Notification
from gridgov.testing.factories import UserFactory, category, grant

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # Monday
REPORTED = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # Wednesday, the day before National Day


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def imported(
    town,
    *,
    channel: str = Channel.IMPORT,
    mark: bool = True,
    number: str = "H1",
    grid: bool = True,
    with_category: bool = True,
) -> Case:
    """A case filed by an import, as ``intake.imports`` files it: the report, then its ``Submission``."""
    case = actions.report_case(
        actor=town.dispatcher,
        channel=channel,
        text="路面坑洼，电动车差点摔倒",
        category=category("road") if with_category else None,
        grid=town.region.grids[0] if grid else None,
        intake_area=town.region.towns[0],
        reported_at=REPORTED,
        announce=False,
    )
    Submission.objects.create(
        case=case,
        channel=channel,
        source="12345",
        external_id=number,
        extra={"import": {"row": 2, "file": "orders.xlsx"}} if mark else {},
    )
    return case


def test_the_transition_is_in_the_table():
    assert target_status(CaseStatus.REPORTED, Transition.CLOSE_HISTORICAL) == CaseStatus.CLOSED
    assert Transition.CLOSE_HISTORICAL in available(CaseStatus.REPORTED)
    for status in set(CaseStatus.values) - {CaseStatus.REPORTED}:
        assert Transition.CLOSE_HISTORICAL not in available(status)


@pytest.mark.django_db
def test_a_dispatcher_closes_imported_history_with_the_files_times(town, django_capture_on_commit_callbacks):
    case = imported(town)
    version = case.version
    notifications = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        closed = close_historical(
            actor=town.dispatcher,
            case=case,
            resolved_at=at(10, 12),
            closed_at=at(10, 13, 9),
            result="已修补路面",
            note="已于 2026-10-12 10:00 在12345办结；导入时结案。",
        )

    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED
    assert closed.version == version + 1
    # Accepted (registered) when reported, resolved and closed at the file's times: none is the import's time.
    assert closed.reported_at == REPORTED
    assert closed.accepted_at == REPORTED
    assert closed.resolved_at == at(10, 12)
    assert closed.closed_at == at(10, 13, 9)
    assert closed.resolution == "已修补路面"
    assert closed.dispatched_at is None
    # The road SLA (5 working days) from the report: Oct 1-7 off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
    assert closed.clock_started_at == REPORTED
    assert closed.resolve_by == at(10, 13)
    assert closed.accept_by is not None and closed.accepted_at <= closed.accept_by
    assert not closed.deadline_provisional
    assert closed.alert_level == AlertLevel.NORMAL
    # Working days from the report to the resolution, on the project's calendar: 0.583 (Wed 30 Sep from 10:00),
    # National Day 1-7 Oct not counted, Thu 8, Fri 9, the make-up Saturday 10, 0.417 of Mon 12.
    assert closed.working_days_taken == 4.0

    events = list(closed.events.order_by("pk"))
    assert [event.verb for event in events] == ["report", "close_historical"]
    event = events[1]
    assert (event.from_status, event.to_status) == (CaseStatus.REPORTED, CaseStatus.CLOSED)
    assert event.actor == town.dispatcher
    assert event.at == NOW
    assert event.note == "已于 2026-10-12 10:00 在12345办结；导入时结案。"
    assert event.data == {
        "source": "12345",
        "external_id": "H1",
        "category": "road",
        "reported_at": "2026-09-30T10:00:00+08:00",
        "resolved_at": "2026-10-12T10:00:00+08:00",
        "closed_at": "2026-10-13T09:00:00+08:00",
    }
    # Nobody is told, now or after commit.
    assert Notification.objects.count() == notifications
    assert callbacks == []


@pytest.mark.django_db
def test_closed_at_defaults_to_resolved_at_and_a_late_resolution_stays_late(town):
    case = close_historical(
        actor=town.dispatcher, case=imported(town), resolved_at=at(10, 14), result="已修补"
    )
    assert case.closed_at == case.resolved_at == at(10, 14)
    # 0.583 + Oct 8, 9, 10, 12, 13 + 0.417: six working days, a day after the deadline (10-13 10:00).
    assert case.working_days_taken == 6.0
    assert case.resolve_by == at(10, 13)
    assert case.resolved_at > case.resolve_by
    assert case.alert_level == AlertLevel.NORMAL  # history never turns red


@pytest.mark.django_db
def test_a_hotline_work_order_from_an_import_and_a_case_without_grid_can_be_closed(town):
    case = imported(town, channel=Channel.HOTLINE, grid=False)
    assert case.grid is None and case.owner_area == town.region.towns[0]
    case = close_historical(actor=town.dispatcher, case=case, resolved_at=at(10, 9), result="已答复")
    assert case.status == CaseStatus.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dispatcher", "district_dispatcher", "leader"])
def test_whoever_may_import_into_the_center_may_close_history(town, who):
    case = close_historical(
        actor=getattr(town, who), case=imported(town), resolved_at=at(10, 9), result="已修补"
    )
    assert case.status == CaseStatus.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["worker", "chief", "handler", "resident", "other_town"])
def test_others_may_not_close_history(town, who):
    if who == "other_town":
        actor = UserFactory(username="dispatcher2")
        grant(actor, Role.DISPATCHER, area=town.region.towns[1])
    else:
        actor = getattr(town, who)
    case = imported(town)
    with pytest.raises(PermissionDenied):
        close_historical(actor=actor, case=case, resolved_at=at(10, 9), result="已修补")
    _unchanged(case)


def _unchanged(case: Case) -> None:
    before = case.version
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.version == before
    assert case.resolved_at is None and case.closed_at is None and case.working_days_taken is None
    assert list(case.events.values_list("verb", flat=True)) == ["report"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin",
    [
        {"mark": False},  # an Open311 or staff hotline report with a submission, not from an import
        {"channel": Channel.WEB},
        {"channel": Channel.STAFF},
    ],
)
def test_only_imported_cases_may_be_closed_as_history(town, origin):
    case = imported(town, **origin)
    with pytest.raises(InvalidTransition):
        close_historical(actor=town.dispatcher, case=case, resolved_at=at(10, 9), result="已修补")
    _unchanged(case)


@pytest.mark.django_db
def test_a_case_without_a_submission_may_not_be_closed_as_history(town):
    case = actions.report_case(
        actor=town.dispatcher,
        channel=Channel.IMPORT,
        text="路灯不亮",
        grid=town.region.grids[0],
        reported_at=REPORTED,
    )
    with pytest.raises(InvalidTransition):
        close_historical(actor=town.dispatcher, case=case, resolved_at=at(10, 9), result="已修复")


@pytest.mark.django_db
def test_only_a_case_still_waiting_for_acceptance(town):
    accepted = actions.accept_case(actor=town.dispatcher, case=imported(town))
    with pytest.raises(InvalidTransition):
        close_historical(actor=town.dispatcher, case=accepted, resolved_at=at(10, 9), result="已修补")

    closed = close_historical(
        actor=town.dispatcher, case=imported(town, number="H2"), resolved_at=at(10, 9), result="已修补"
    )
    with pytest.raises(InvalidTransition):  # twice: the second one sees the first one's result
        close_historical(actor=town.dispatcher, case=closed, resolved_at=at(10, 9), result="已修补")
    assert closed.events.filter(verb="close_historical").count() == 1


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict(town):
    case = imported(town)
    with pytest.raises(Conflict):
        close_historical(
            actor=town.dispatcher,
            case=case,
            resolved_at=at(10, 9),
            result="已修补",
            expected_version=case.version - 1,
        )
    _unchanged(case)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resolved_at", "closed_at", "field", "reason"),
    [
        (at(9, 30, 9), None, "resolved_at", "早于上报时间（2026-09-30 10:00）"),
        (at(10, 12), at(10, 9), "closed_at", "早于办结时间（2026-10-12 10:00）"),
        (at(11, 2, 11), None, "resolved_at", "办结时间（2026-11-02 11:00）晚于当前时间"),
        (at(10, 12), at(11, 3), "closed_at", "结案时间（2026-11-03 10:00）晚于当前时间"),
    ],
)
def test_the_times_must_follow_each_other_up_to_now(town, resolved_at, closed_at, field, reason):
    """Each mistake is named on its field, in the installation's language."""
    case = imported(town)
    with pytest.raises(ValidationError) as refused:
        close_historical(
            actor=town.dispatcher, case=case, resolved_at=resolved_at, closed_at=closed_at, result="已修补"
        )
    assert list(refused.value.message_dict) == [field]
    assert reason in refused.value.message_dict[field][0]
    _unchanged(case)


@pytest.mark.django_db
def test_a_result_and_a_category_are_needed(town):
    case = imported(town)
    with pytest.raises(ValidationError) as refused:
        close_historical(actor=town.dispatcher, case=case, resolved_at=at(10, 9), result="  ")
    assert list(refused.value.message_dict) == ["result"]
    uncategorised = imported(town, number="H2", with_category=False)
    with pytest.raises(ValidationError) as refused:
        close_historical(actor=town.dispatcher, case=uncategorised, resolved_at=at(10, 9), result="已修补")
    assert list(refused.value.message_dict) == ["category"]
    _unchanged(uncategorised)


def test_naive_times_are_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        close_historical(
            actor=mock.Mock(), case=mock.Mock(), resolved_at=datetime(2026, 10, 9, 10, 0), result="已修补"
        )


@pytest.mark.django_db
def test_a_report_filed_without_announcement_notifies_nobody(town):
    imported(town)
    assert Notification.objects.count() == 0
    actions.report_case(
        actor=None, channel=Channel.WEB, text="路灯不亮", grid=town.region.grids[0], reported_at=REPORTED
    )
    assert Notification.objects.filter(recipient=town.dispatcher).count() == 1
