"""Two people act on one case at the same moment: exactly one succeeds, the other gets a conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

from gridgov.cases import actions
from gridgov.cases.choices import CaseStatus
from gridgov.testing.factories import category


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_dispatches_through_the_api_one_wins(town):
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks across connections are exercised on PostgreSQL (SQLite serialises whole writes)"
        )
    case = actions.report_case(actor=town.resident, channel="web", text="路灯不亮", grid=town.region.grids[0])
    case = actions.accept_case(actor=town.dispatcher, case=case, category=category("road"))
    barrier = threading.Barrier(2)
    outcomes: list[int] = []

    def dispatch(lead) -> None:
        client = APIClient()
        client.force_authenticate(town.dispatcher)
        try:
            barrier.wait(timeout=10)
            response = client.post(
                f"/api/v1/cases/{case.number}/dispatch/", {"lead": lead.code}, format="json"
            )
            outcomes.append(response.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=dispatch, args=(lead,)) for lead in (town.roads, town.justice)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [200, 409]
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.events.filter(verb="dispatch").count() == 1
    assert case.assignments.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reports_get_consecutive_numbers(town):
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks across connections are exercised on PostgreSQL (SQLite serialises whole writes)"
        )
    grid = town.region.grids[0]
    barrier = threading.Barrier(4)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def report() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                case = actions.report_case(actor=None, channel="web", text="路灯不亮", grid=grid)
                numbers.append(case.number)
        except BaseException as exc:
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(int(number[-4:]) for number in numbers) == list(range(1, 21))
