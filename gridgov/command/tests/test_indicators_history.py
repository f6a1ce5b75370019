"""Imported history in the accountability indicators: work orders finished in another system count with the times
of the file (docs/indicators.md, "Imported history"), not with the time of the import.

A town dispatcher imports a 12345 export in November 2026 (now = Monday 2 November 2026 10:00). Reported on
Wednesday 30 September 10:00, the day before National Day (1–7 October off, Saturday 10 October a make-up
workday), road cases (5 working days: due Tuesday 13 October 10:00):

* H1 finished Monday 12 October 10:00: on time, 4 working days;
* H2 finished Wednesday 14 October 10:00: late, 6 working days;
* H3 still open in the export (处理中): an open case waiting for acceptance, long past its acceptance deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from gridgov.cases.choices import CaseStatus
from gridgov.command.periods import Period
from gridgov.command.selectors.indicators import area_summary, cases_behind, table
from gridgov.intake.imports.service import import_reports
from gridgov.intake.models import Submission

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
SEPTEMBER = Period.containing("month", date(2026, 9, 1))


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


@pytest.fixture
def imported(town):
    grid = town.region.grids[0].code
    rows = [
        ["工单编号", "受理时间", "诉求内容", "所属网格", "问题分类", "工单状态", "办结时间", "办理结果"],
        ["H1", "2026-09-30 10:00", "路面坑洼", grid, "road", "已办结", "2026-10-12 10:00", "已修补路面"],
        ["H2", "2026-09-30 10:00", "井盖松动", grid, "road", "已办结", "2026-10-14 10:00", "已更换井盖"],
        ["H3", "2026-09-30 10:00", "路灯不亮", grid, "road", "处理中", "", ""],
    ]
    report = import_reports(actor=town.dispatcher, rows=rows, source="12345", area=town.region.towns[0])
    assert (report.imported, report.closed, report.bad) == (3, 2, 0)
    return {row: Submission.objects.get(external_id=row).case for row in ("H1", "H2", "H3")}


@pytest.mark.django_db
def test_imported_history_counts_with_the_files_times(town, imported):
    assert imported["H1"].status == imported["H2"].status == CaseStatus.CLOSED
    figures = area_summary(town.region.towns[0], SEPTEMBER, now=NOW)

    assert figures.received == 3
    # Registered by the other system when reported: answered on time. The open H3 was never accepted here.
    assert figures.responded_on_time == 2
    assert (figures.resolved, figures.resolved_on_time, figures.due) == (2, 1, 2)
    assert figures.on_time_rate == 0.5
    assert figures.average_days == pytest.approx(5.0)  # (4 + 6) / 2 working days, not the hours of the import
    # Never dispatched, returned, redone or rated here; and not rateable: its result reached the reporter through
    # the other system, so the rating rate is not pulled down by history nobody here could ask about.
    assert (figures.dispatched, figures.returned, figures.reworked) == (0, 0, 0)
    assert (figures.rateable, figures.rated, figures.satisfied) == (0, 0, 0)
    assert figures.rating_rate is None
    # Closed history is never overdue; the open H3 is (its acceptance deadline passed long ago).
    assert figures.overdue_now == 1

    town_code = town.region.towns[0].code
    on_time = cases_behind("area", town_code, town.region.towns[0], SEPTEMBER, "resolved_on_time", now=NOW)
    assert list(on_time) == [imported["H1"]]
    overdue = cases_behind("area", town_code, town.region.towns[0], SEPTEMBER, "overdue_now", now=NOW)
    assert list(overdue) == [imported["H3"]]


@pytest.mark.django_db
def test_imported_history_is_in_no_departments_figures(town, imported):
    rows = table("department", town.region.towns[0], SEPTEMBER, now=NOW)
    assert rows and all(row.figures.received == 0 for row in rows)


@pytest.mark.django_db
def test_october_the_month_of_the_resolutions_counts_none_of_them(town, imported):
    figures = area_summary(town.region.towns[0], Period.containing("month", date(2026, 10, 1)), now=NOW)
    assert (figures.received, figures.resolved) == (0, 0)  # the cohort is the month of the report
