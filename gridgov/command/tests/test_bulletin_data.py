"""Hand-made cases for the bulletin tests: November 2026 in 测试镇1, October before it, a few around the edges.

Every expected number in the bulletin tests is counted by hand from the table below (times are Asia/Shanghai).

| case | grid (village) | reported | channel / type / category | state | notes |
|---|---|---|---|---|---|
| N1 | g0 (1-1) | 11-03 09:00 | hotline / complaint / road | closed, on time, satisfied, 2.0 days | roads dept |
| N2 | g0 (1-1) | 11-05 09:00 | hotline / consultation / road | resolved late, dissatisfied, 11.0 days, reopened once | roads dept |
| N3 | g1 (1-1) | 11-10 09:00 | web / help / sanitation, urgent | in progress, accepted late, due 11-18 18:00 | justice dept, supervised 11-12 |
| N4 | g2 (1-2) | 11-15 09:00 | grid worker / suggestion / road | accepted, due 12-10 | sent back for rework, supervised 12-01 |
| N5 | g2 (1-2) | 11-20 08:00 | web / complaint / none | awaiting acceptance, accept by 11-20 12:00 | |
| M6 | g3 (1-2) | 11-30 23:30 | hotline / complaint / road | merged (left out) | |
| D7 | g3 (1-2) | 12-01 00:30 | hotline / complaint / road | reported, next period | |
| O1, O2 | g0 | 10-10, 10-20 | hotline / complaint / road | closed on time, satisfied / basically | O1 supervised 11-02 |
| O3 | g1 | 10-31 23:59 | web / consultation / other | closed on time, not rated | |
| T1 | 测试镇2 | 11-08 | web / complaint / water | closed | other town |

"Now" is 2026-12-01 10:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridgov.cases.choices import CaseStatus, Channel, OwnerLevel, Priority, RequestType, Satisfaction
from gridgov.cases.models import Case, CaseEvent
from gridgov.command.periods import Period
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment
from gridgov.testing.factories import category

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
NOVEMBER = Period.containing("month", date(2026, 11, 1))


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class BulletinData:
    town: object
    cases: dict[str, Case]


def _case(number: str, grid, town_area, reported: datetime, **fields) -> Case:
    values = {
        "channel": Channel.HOTLINE,
        "request_type": RequestType.COMPLAINT,
        "category": category("road"),
        "title": f"{number} 路灯不亮",
        "text": "来电人张三（13800000000）反映路灯不亮。",
        "address": "幸福路 8 号",
        "reporter_name": "张三",
        "reporter_phone": "13800000000",
        "status": CaseStatus.CLOSED,
    }
    values.update(fields)
    return Case.objects.create(
        number=number,
        grid=grid,
        area_path=grid.path,
        owner_level=OwnerLevel.TOWN,
        owner_area=town_area,
        reported_at=reported,
        **values,
    )


def _assign(case: Case, department, actor, created: datetime, **fields) -> Assignment:
    assignment = Assignment.objects.create(
        case=case, department=department, role=AssignmentRole.LEAD, assigned_by=actor, **fields
    )
    Assignment.objects.filter(pk=assignment.pk).update(created_at=created)
    return assignment


def make_bulletin_data(town) -> BulletinData:
    """The cases of the table above, for the ``town`` fixture's region (each test module makes its fixture)."""
    region = town.region
    town1, town2 = region.towns
    g = region.grids
    cases: dict[str, Case] = {}

    def done(reported: datetime, days: float, satisfaction: str = "") -> dict:
        return {
            "status": CaseStatus.CLOSED,
            "accept_by": reported.replace(hour=12),
            "accepted_at": reported.replace(hour=10),
            "resolve_by": reported + timedelta(days=7),
            "resolved_at": reported.replace(hour=16),
            "working_days_taken": days,
            "satisfaction": satisfaction,
        }

    cases["N1"] = _case("N1", g[0], town1, at(11, 3), **done(at(11, 3), 2.0, Satisfaction.SATISFIED))
    cases["N2"] = _case(
        "N2",
        g[0],
        town1,
        at(11, 5),
        request_type=RequestType.CONSULTATION,
        status=CaseStatus.RESOLVED,
        accept_by=at(11, 5, 12),
        accepted_at=at(11, 5, 10),
        resolve_by=at(11, 12, 18),
        resolved_at=at(11, 20, 15),
        working_days_taken=11.0,
        satisfaction=Satisfaction.DISSATISFIED,
        reopen_count=1,
    )
    cases["N3"] = _case(
        "N3",
        g[1],
        town1,
        at(11, 10),
        channel=Channel.WEB,
        request_type=RequestType.HELP,
        category=category("sanitation"),
        priority=Priority.URGENT,
        status=CaseStatus.IN_PROGRESS,
        accept_by=at(11, 10, 12),
        accepted_at=at(11, 11, 9),
        dispatched_at=at(11, 11, 10),
        resolve_by=at(11, 18, 18),
    )
    cases["N4"] = _case(
        "N4",
        g[2],
        town1,
        at(11, 15),
        channel=Channel.GRID_WORKER,
        request_type=RequestType.SUGGESTION,
        status=CaseStatus.ACCEPTED,
        accept_by=at(11, 15, 12),
        accepted_at=at(11, 15, 10),
        resolve_by=at(12, 10, 18),
    )
    cases["N5"] = _case(
        "N5",
        g[2],
        town1,
        at(11, 20, 8),
        channel=Channel.WEB,
        category=None,
        status=CaseStatus.REPORTED,
        accept_by=at(11, 20, 12),
    )
    cases["M6"] = _case("M6", g[3], town1, at(11, 30, 23, 30), status=CaseStatus.MERGED)
    cases["D7"] = _case(
        "D7",
        g[3],
        town1,
        at(12, 1, 0, 30),
        status=CaseStatus.REPORTED,
        accept_by=at(12, 1, 12),
    )
    cases["O1"] = _case("O1", g[0], town1, at(10, 10), **done(at(10, 10), 1.0, Satisfaction.SATISFIED))
    cases["O2"] = _case("O2", g[0], town1, at(10, 20), **done(at(10, 20), 2.0, Satisfaction.BASICALLY))
    cases["O3"] = _case(
        "O3",
        g[1],
        town1,
        at(10, 31, 23, 59),
        channel=Channel.WEB,
        request_type=RequestType.CONSULTATION,
        category=category("other"),
        **done(at(11, 1, 8), 3.0),
    )
    cases["T1"] = _case(
        "T1",
        g[4],
        town2,
        at(11, 8),
        channel=Channel.WEB,
        category=category("water"),
        **done(at(11, 8), 1.0, Satisfaction.SATISFIED),
    )

    _assign(
        cases["N1"],
        town.roads,
        town.dispatcher,
        at(11, 3, 10),
        status=AssignmentStatus.RESOLVED,
        sign_by=at(11, 3, 18),
        signed_at=at(11, 3, 11),
    )
    _assign(
        cases["N2"],
        town.roads,
        town.dispatcher,
        at(11, 5, 10),
        status=AssignmentStatus.RESOLVED,
        sign_by=at(11, 5, 18),
        signed_at=at(11, 6, 9),
    )
    _assign(
        cases["N3"],
        town.justice,
        town.dispatcher,
        at(11, 11, 10),
        status=AssignmentStatus.SIGNED,
        sign_by=at(11, 11, 18),
        signed_at=at(11, 11, 12),
    )

    for case, verb, moment in (
        (cases["N3"], "supervise", at(11, 12, 15)),
        (cases["O1"], "supervise", at(11, 2, 15)),
        (cases["N4"], "supervise", at(12, 1, 8)),
        (cases["N4"], "verify_redo", at(11, 25, 9)),
    ):
        CaseEvent.objects.create(case=case, verb=verb, at=moment, actor=town.leader, note="请加快办理")
    return BulletinData(town=town, cases=cases)


@pytest.fixture
def bulletin_data(town) -> BulletinData:
    return make_bulletin_data(town)


@pytest.mark.django_db
def test_the_data_is_as_the_table_says(bulletin_data):
    assert Case.objects.count() == 11
    assert Case.objects.filter(area_path__startswith=bulletin_data.town.region.towns[0].path).count() == 10
    assert NOVEMBER.bounds()[1] < NOW
