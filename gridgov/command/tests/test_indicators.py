"""The accountability indicators against a small hand-made data set whose right answers are computed by hand.

The data set (built directly with the ORM, every time explicit, Asia/Shanghai) lives in the first town of the
test region: villages V1 (grids G1, G2) and V2 (grids G3, G4), plus the town itself; two town departments, 建设办
("roads") and 司法所 ("justice"); grid workers "worker" (G1) and "worker2" (G2 and G3). The period is October
2025 (National Day holidays 1–8 October, make-up workday Saturday 11 October); "now" is Monday 10 November 2025
10:00. docs/indicators.md states the rules the answers follow; its worked example is this data set.

Cases (accept_by = acceptance deadline, resolve_by = resolve deadline; all 2025, local time):

====  ====  ======================================================================================================
case  place  story
====  ====  ======================================================================================================
C1    G1    reported Mon 10-13 09:00, accept_by 11:00, accepted 10:00; dispatched 10:30 to roads (A1, sign_by 10-14
            10:30, signed 10-13 14:00); resolved Thu 10-16 16:00 (resolve_by 10-20 10:00); rated satisfied; closed.
C2    G1    reported Wed 10-01 10:00 (a holiday), accept_by 10-09 10:30, accepted 10-09 09:00; resolved in the grid
            10-10 12:00, the check failed (redo_in_grid 10-10 15:00), resolved again Mon 10-13 12:00 (resolve_by
            10-16 09:00); verified, not rated.
C3    G2    reported Fri 10-10 15:00, accept_by 17:30, accepted LATE Mon 10-13 09:00; dispatched 09:30 to justice
            (A2 lead, sign_by 10-14 09:30, signed LATE 10-15 10:00) and roads (A3 helper, signed 10-13 11:00);
            resolved LATE 10-22 17:00 (resolve_by 10-20 09:00); rated dissatisfied 10-24 10:00 → reopened
            (reopen_count 1, resolved_at cleared, new resolve_by 10-31 10:00): overdue now.
C4    G2    reported Mon 10-20 09:00, accept_by 11:00, accepted 09:30; dispatched 10:00 to roads (A4, signed
            15:00); resolved 10-22 10:00, check failed (verify_redo 16:00), resolved again LATE Fri 10-24 10:00
            (resolve_by 10-23 10:00); rated basically satisfied; closed.
C5    G3    reported Tue 10-14 09:00, accept_by 11:00, accepted 09:10; dispatched 09:30 to justice (A5, sign_by
            10-15 09:30), SENT BACK 10-14 16:00; given to justice again 10-15 09:00 (A6, sign_by 10-16 09:00,
            signed 10:00); resolved 10-16 15:00, check failed (verify_redo 17:00), resolved again Fri 10-17 15:00
            (resolve_by 10-21 09:10); closed without a rating.
C6    G3    reported Thu 10-16 09:00, accept_by 11:00, accepted 09:20; dispatched 10:00 to roads (A7, CANCELLED by
            a reassignment 14:00) then justice (A8, sign_by 10-17 14:00, signed 10-17 09:00); in progress,
            resolve_by 11-20 09:00 (still within its time).
C7    G1    a duplicate of C1 reported 10-13 09:30 (accept_by 11:30): MERGED, left out everywhere.
C8    G1    reported 09-25 10:00 (ANOTHER PERIOD): dispatched to roads (A9, created 09-25 11:00, signed); in
            progress, resolve_by 10-10 10:00: overdue now (the one count not tied to the period).
C9    G3    reported Fri 10-31 16:00, accept_by Mon 11-03 10:00, never accepted: overdue now (acceptance).
C10   town  a hotline call placed at the town (no grid) 10-21 10:00, accept_by 12:00, REJECTED 10:30.
C11   G2    a grid worker's own report Wed 10-29 09:00 (accepted on report, no accept_by), resolved in the grid
            11:00 (resolve_by 11-05 09:00); verified, not rated.
C12   G1    reported Mon 10-27 09:00, accept_by 11:00, accepted 09:30; dispatched 10:00 to justice (A10, sign_by
            10-28 10:00, never signed); resolve_by 11-03 09:30: overdue now.
====  ====  ======================================================================================================

Counts per case (period cohort; "over" = overdue now; days = working days from report to resolution):

====  ====  ====  ====  =====  ===  ====  ====  =====  =====  =====  ===  ====  =====
case  recv  resp  resd  ontim  due  disp  retd  rework rateab rated  sat  over  days
====  ====  ====  ====  =====  ===  ====  ====  =====  =====  =====  ===  ====  =====
C1    1     1     1     1      1    1     .     .      1      1      1    .     3.292  (Mon 09:00 → Thu 16:00: .625+1+1+.667)
C2    1     1     1     1      1    .     .     1      1      .      .    .     3.5    (1–8 Oct off, 9, 10, Sat 11 work, 13: .5)
C3    1     .     .     .      1    1     .     1      1      1      .    1     —
C4    1     1     1     .      1    1     .     1      1      1      1    .     4.042  (Mon 09:00 → Fri 10:00: .625+3+.417)
C5    1     1     1     1      1    1     1     1      1      .      .    .     3.25   (Tue 09:00 → Fri 15:00: .625+2+.625)
C6    1     1     .     .      .    1     .     .      .      .      .    .     —
C8    .     .     .     .      .    .     .     .      .      .      .    1     (another period)
C9    1     .     .     .      .    .     .     .      .      .      .    1     —
C10   1     1     .     .      .    .     .     .      .      .      .    .     —      (rejected in time: answered)
C11   1     1     1     1      1    .     .     .      1      .      .    .     0.083  (2 hours)
C12   1     1     .     .      1    1     .     .      .      .      .    1     —
====  ====  ====  ====  =====  ===  ====  ====  =====  =====  =====  ===  ====  =====

Assignments per department (cohort: created in October, cancelled left out):

roads:   A1 (C1: on time, resolved on time, satisfied), A3 (C3 helper: on time; case late and reworked, rated
         dissatisfied; still held → due, overdue now), A4 (C4: on time, resolved late, reworked, basically
         satisfied); A9 (C8, September) counts only in overdue now; A7 cancelled.
justice: A2 (C3: signed late; lead done, case reworked and rated), A5 (C5: sent back in time → answered, returned,
         nothing else), A6 (C5 again: on time, resolved on time, reworked), A8 (C6: on time, within its time),
         A10 (C12: never signed, case late → due, overdue now).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from gridgov.accounts.choices import Role
from gridgov.cases.choices import CaseStatus, Channel, OwnerLevel, Satisfaction
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.timeline import save_case
from gridgov.command.periods import Period
from gridgov.command.selectors import indicators
from gridgov.command.selectors.indicators import (
    COUNTS,
    INDICATORS,
    REST,
    Figures,
    area_summary,
    cases_behind,
    table,
    table_and_rest,
    totals,
)
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment, Department
from gridgov.geo.models import Area
from gridgov.testing.factories import category, grant

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD = Period.containing("month", date(2025, 10, 1))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


NOW = at(11, 10, 10)

# --- The right answers, by hand (see the tables in the module docstring) -----------------------------------------

#: The order of the counts in the tuples below.
ORDER = (
    "received",
    "responded_on_time",
    "resolved",
    "resolved_on_time",
    "due",
    "dispatched",
    "returned",
    "reworked",
    "rateable",
    "rated",
    "satisfied",
    "overdue_now",
)
#                recv resp resd ontm due disp retd rewk rtbl rate sat over
EXPECTED = {
    "G1": (3, 3, 2, 2, 3, 2, 0, 1, 2, 1, 1, 2),  # C1 C2 C12 (+ C8 overdue)
    "G2": (3, 2, 2, 1, 3, 2, 0, 2, 3, 2, 1, 1),  # C3 C4 C11
    "G3": (3, 2, 1, 1, 1, 2, 1, 1, 1, 0, 0, 1),  # C5 C6 C9
    "G4": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "V1": (6, 5, 4, 3, 6, 4, 0, 3, 5, 3, 2, 3),  # G1 + G2
    "V2": (3, 2, 1, 1, 1, 2, 1, 1, 1, 0, 0, 1),  # G3 + G4
    "rest": (1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),  # C10, placed at the town itself
    "T1": (10, 8, 5, 4, 7, 6, 1, 4, 6, 3, 2, 4),  # V1 + V2 + rest
    "T2": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "worker": (3, 3, 2, 2, 3, 2, 0, 1, 2, 1, 1, 2),  # G1
    "worker2": (6, 4, 3, 2, 4, 4, 1, 3, 4, 2, 1, 2),  # G2 + G3
    "roads": (3, 3, 2, 1, 3, 3, 0, 2, 3, 3, 2, 2),  # A1 A3 A4 (+ A9 overdue)
    "justice": (5, 3, 1, 1, 2, 5, 1, 2, 2, 1, 0, 1),  # A2 A5 A6 A8 A10
}
#: Average handling time (working days): the sum of the resolved cases' days ÷ their number.
EXPECTED_DAYS = {
    "G1": (3.292 + 3.5) / 2,  # 3.396
    "G2": (4.042 + 0.083) / 2,  # 2.0625
    "G3": 3.25,
    "G4": None,
    "V1": (3.292 + 3.5 + 4.042 + 0.083) / 4,  # 2.72925
    "V2": 3.25,
    "T1": 14.167 / 5,  # 2.8334
    "worker": 3.396,
    "worker2": (4.042 + 0.083 + 3.25) / 3,  # 2.4583
    "roads": (3.292 + 4.042) / 2,  # 3.667 (A1, A4)
    "justice": 3.25,  # A6
}
#: The indicators, as written on the page (the ``percent`` filter: one decimal; "—" without a denominator).
#                 response resolution on_time  return  rework  rating  satisfaction
EXPECTED_RATES = {
    "G1": ("100.0%", "66.7%", "66.7%", "0.0%", "33.3%", "50.0%", "100.0%"),
    "G2": ("66.7%", "66.7%", "33.3%", "0.0%", "66.7%", "66.7%", "50.0%"),
    "G3": ("66.7%", "33.3%", "100.0%", "50.0%", "33.3%", "0.0%", "—"),
    "G4": ("—", "—", "—", "—", "—", "—", "—"),
    "V1": ("83.3%", "66.7%", "50.0%", "0.0%", "50.0%", "60.0%", "66.7%"),
    "T1": ("80.0%", "50.0%", "57.1%", "16.7%", "40.0%", "50.0%", "66.7%"),
    "worker2": ("66.7%", "50.0%", "50.0%", "25.0%", "50.0%", "50.0%", "50.0%"),
    "roads": ("100.0%", "66.7%", "33.3%", "0.0%", "66.7%", "100.0%", "66.7%"),
    "justice": ("60.0%", "20.0%", "50.0%", "20.0%", "40.0%", "50.0%", "0.0%"),
}
#: The working days each resolved case took (``save_case`` computes them; Chinese calendar of 2025).
EXPECTED_CASE_DAYS = {"C1": 3.292, "C2": 3.5, "C4": 4.042, "C5": 3.25, "C11": 0.083}


def expected(name: str) -> dict[str, int]:
    return dict(zip(ORDER, EXPECTED[name], strict=True))


def counts_of(figures: Figures) -> dict[str, int]:
    return {key: getattr(figures, key) for key in ORDER}


# --- The data set -------------------------------------------------------------------------------------------------


@dataclass
class Data:
    """The hand-made data set: areas by short name (G1…, V1, V2, T1, T2, D), departments, users, cases."""

    areas: dict[str, Area]
    departments: dict[str, Department]
    cases: dict[str, Case]
    town: object

    def number(self, name: str) -> str:
        return self.cases[name].number

    def names(self, queryset: Iterable[Case]) -> list[str]:
        """The short names (C1…) of the cases of a drill-through, sorted (a case may appear twice)."""
        by_number = {case.number: name for name, case in self.cases.items()}
        return sorted((by_number[case.number] for case in queryset), key=lambda n: int(n[1:]))


def build(town) -> Data:
    """Create the data set of the module docstring (``town``: the ``town`` fixture)."""
    region = town.region
    g1, g2, g3, g4 = region.grids[:4]
    t1 = region.towns[0]
    areas = {
        "G1": g1, "G2": g2, "G3": g3, "G4": g4, "V1": region.villages[0], "V2": region.villages[1],
        "T1": t1, "T2": region.towns[1], "D": region.district,
    }  # fmt: skip
    roads, justice = town.roads, town.justice
    grant(town.other_worker, Role.GRID_WORKER, area=g3)  # worker2 looks after G2 and G3
    road = category("road")
    cases: dict[str, Case] = {}

    def case(name: str, place: Area, reported_at: datetime, **values: object) -> Case:
        values.setdefault("channel", Channel.WEB)
        values.setdefault("owner_area", t1)
        values.setdefault("owner_level", OwnerLevel.TOWN)
        item = Case(
            number=f"T-{name}",
            title=f"事件{name}",
            text=f"测试事件{name}",
            category=road,
            grid=place if place.is_grid else None,
            area_path=place.path,
            reported_at=reported_at,
            **values,
        )
        save_case(item)  # keeps working_days_taken, as every action does
        CaseEvent.objects.create(case=item, at=reported_at, verb="report")
        cases[name] = item
        return item

    def assign(
        item: Case, department: Department, created: datetime, status: str, role: str = AssignmentRole.LEAD,
        **values: object,
    ) -> Assignment:  # fmt: skip
        assignment = Assignment.objects.create(
            case=item, department=department, role=role, status=status, assigned_by=town.dispatcher, **values
        )
        Assignment.objects.filter(pk=assignment.pk).update(created_at=created)  # auto_now_add: set it after
        return assignment

    def event(item: Case, verb: str, moment: datetime) -> None:
        CaseEvent.objects.create(case=item, at=moment, verb=verb)

    c1 = case(
        "C1", g1, at(10, 13, 9), accept_by=at(10, 13, 11), accepted_at=at(10, 13, 10),
        dispatched_at=at(10, 13, 10, 30), resolve_by=at(10, 20, 10), resolved_at=at(10, 16, 16),
        satisfaction=Satisfaction.SATISFIED, status=CaseStatus.CLOSED, closed_at=at(10, 17, 9),
    )  # fmt: skip
    assign(
        c1, roads, at(10, 13, 10, 30), AssignmentStatus.RESOLVED, sign_by=at(10, 14, 10, 30),
        signed_at=at(10, 13, 14), finished_at=at(10, 16, 16),
    )  # fmt: skip

    c2 = case(
        "C2", g1, at(10, 1, 10), channel=Channel.HOTLINE, accept_by=at(10, 9, 10, 30), accepted_at=at(10, 9, 9),
        resolve_by=at(10, 16, 9), resolved_at=at(10, 13, 12), status=CaseStatus.VERIFIED,
    )  # fmt: skip
    event(c2, "redo_in_grid", at(10, 10, 15))

    c3 = case(
        "C3", g2, at(10, 10, 15), accept_by=at(10, 10, 17, 30), accepted_at=at(10, 13, 9),
        dispatched_at=at(10, 13, 9, 30), resolve_by=at(10, 31, 10), resolved_at=None,
        satisfaction=Satisfaction.DISSATISFIED, reopen_count=1, status=CaseStatus.REOPENED,
    )  # fmt: skip
    assign(
        c3, justice, at(10, 13, 9, 30), AssignmentStatus.RESOLVED, sign_by=at(10, 14, 9, 30),
        signed_at=at(10, 15, 10), finished_at=at(10, 22, 17),
    )  # fmt: skip
    assign(
        c3, roads, at(10, 13, 9, 30), AssignmentStatus.SIGNED, role=AssignmentRole.HELPER,
        sign_by=at(10, 14, 9, 30), signed_at=at(10, 13, 11),
    )  # fmt: skip
    event(c3, "resolve", at(10, 22, 17))
    event(c3, "rate_dissatisfied", at(10, 24, 10))

    c4 = case(
        "C4", g2, at(10, 20, 9), accept_by=at(10, 20, 11), accepted_at=at(10, 20, 9, 30),
        dispatched_at=at(10, 20, 10), resolve_by=at(10, 23, 10), resolved_at=at(10, 24, 10),
        satisfaction=Satisfaction.BASICALLY, status=CaseStatus.CLOSED, closed_at=at(10, 27, 9),
    )  # fmt: skip
    assign(
        c4, roads, at(10, 20, 10), AssignmentStatus.RESOLVED, sign_by=at(10, 21, 10), signed_at=at(10, 20, 15),
        finished_at=at(10, 24, 10),
    )  # fmt: skip
    event(c4, "verify_redo", at(10, 22, 16))

    c5 = case(
        "C5", g3, at(10, 14, 9), accept_by=at(10, 14, 11), accepted_at=at(10, 14, 9, 10),
        dispatched_at=at(10, 14, 9, 30), resolve_by=at(10, 21, 9, 10), resolved_at=at(10, 17, 15),
        status=CaseStatus.CLOSED, closed_at=at(10, 20, 9),
    )  # fmt: skip
    assign(
        c5, justice, at(10, 14, 9, 30), AssignmentStatus.RETURNED, sign_by=at(10, 15, 9, 30),
        finished_at=at(10, 14, 16), note="不属于本部门职责",
    )  # fmt: skip
    assign(
        c5, justice, at(10, 15, 9), AssignmentStatus.RESOLVED, sign_by=at(10, 16, 9), signed_at=at(10, 15, 10),
        finished_at=at(10, 17, 15),
    )  # fmt: skip
    event(c5, "return", at(10, 14, 16))
    event(c5, "verify_redo", at(10, 16, 17))

    c6 = case(
        "C6", g3, at(10, 16, 9), accept_by=at(10, 16, 11), accepted_at=at(10, 16, 9, 20),
        dispatched_at=at(10, 16, 10), resolve_by=at(11, 20, 9), status=CaseStatus.IN_PROGRESS,
    )  # fmt: skip
    assign(
        c6,
        roads,
        at(10, 16, 10),
        AssignmentStatus.CANCELLED,
        sign_by=at(10, 17, 10),
        finished_at=at(10, 16, 14),
    )
    assign(
        c6, justice, at(10, 16, 14), AssignmentStatus.SIGNED, sign_by=at(10, 17, 14), signed_at=at(10, 17, 9)
    )

    case(
        "C7", g1, at(10, 13, 9, 30), accept_by=at(10, 13, 11, 30), status=CaseStatus.MERGED, merged_into=c1,
        closed_at=at(10, 13, 10),
    )  # fmt: skip

    c8 = case(
        "C8", g1, at(9, 25, 10), accept_by=at(9, 25, 12), accepted_at=at(9, 25, 10, 30),
        dispatched_at=at(9, 25, 11), resolve_by=at(10, 10, 10), status=CaseStatus.IN_PROGRESS,
    )  # fmt: skip
    assign(c8, roads, at(9, 25, 11), AssignmentStatus.SIGNED, sign_by=at(9, 26, 11), signed_at=at(9, 25, 14))

    case("C9", g3, at(10, 31, 16), accept_by=at(11, 3, 10), status=CaseStatus.REPORTED)

    case(
        "C10", t1, at(10, 21, 10), channel=Channel.HOTLINE, accept_by=at(10, 21, 12),
        status=CaseStatus.REJECTED, closed_at=at(10, 21, 10, 30),
    )  # fmt: skip

    case(
        "C11", g2, at(10, 29, 9), channel=Channel.GRID_WORKER, owner_area=g2, owner_level=OwnerLevel.GRID,
        accepted_at=at(10, 29, 9), resolve_by=at(11, 5, 9), resolved_at=at(10, 29, 11), status=CaseStatus.VERIFIED,
    )  # fmt: skip

    c12 = case(
        "C12", g1, at(10, 27, 9), accept_by=at(10, 27, 11), accepted_at=at(10, 27, 9, 30),
        dispatched_at=at(10, 27, 10), resolve_by=at(11, 3, 9, 30), status=CaseStatus.DISPATCHED,
    )  # fmt: skip
    assign(c12, justice, at(10, 27, 10), AssignmentStatus.PENDING, sign_by=at(10, 28, 10))

    return Data(areas=areas, departments={"roads": roads, "justice": justice}, cases=cases, town=town)


@pytest.fixture
def data(town) -> Data:
    return build(town)


# --- Figures ------------------------------------------------------------------------------------------------------


def rows_by_key(kind: str, area: Area) -> dict[str, Figures]:
    return {row.key: row.figures for row in table(kind, area, PERIOD, now=NOW)}


@pytest.mark.django_db
def test_working_days_taken_follow_the_chinese_calendar(data):
    """Weekdays only (C1, C4, C5), a report on a holiday and a make-up Saturday (C2), two hours (C11)."""
    for name, days in EXPECTED_CASE_DAYS.items():
        data.cases[name].refresh_from_db()
        assert data.cases[name].working_days_taken == days, name
    assert data.cases["C3"].working_days_taken is None  # reopened: not resolved


@pytest.mark.django_db
def test_grids(data):
    rows = rows_by_key("grid", data.areas["T1"])
    codes = {name: data.areas[name].code for name in ("G1", "G2", "G3", "G4")}
    assert set(rows) == set(codes.values())
    for name, code in codes.items():
        assert counts_of(rows[code]) == expected(name), name
        assert rows[code].average_days == pytest.approx(EXPECTED_DAYS[name]), name


@pytest.mark.django_db
def test_villages_and_the_remainder(data):
    rows, rest = table_and_rest("village", data.areas["T1"], PERIOD, now=NOW)
    by_key = {row.key: row.figures for row in rows}
    for name in ("V1", "V2"):
        assert counts_of(by_key[data.areas[name].code]) == expected(name), name
        assert by_key[data.areas[name].code].average_days == pytest.approx(EXPECTED_DAYS[name])
    assert rest is not None
    assert counts_of(rest) == expected("rest")  # C10, the town's own hotline case
    # One level down from the town are the same villages.
    assert {k: counts_of(v) for k, v in rows_by_key("child", data.areas["T1"]).items()} == {
        k: counts_of(v) for k, v in by_key.items()
    }


@pytest.mark.django_db
def test_towns_and_area_summary(data):
    district = data.areas["D"]
    rows, rest = table_and_rest("town", district, PERIOD, now=NOW)
    by_key = {row.key: row.figures for row in rows}
    assert counts_of(by_key[data.areas["T1"].code]) == expected("T1")
    assert counts_of(by_key[data.areas["T2"].code]) == expected("T2")
    assert by_key[data.areas["T1"].code].average_days == pytest.approx(EXPECTED_DAYS["T1"])
    assert rest is not None and counts_of(rest) == expected("T2")  # nothing outside the towns
    for name in ("T1", "D"):
        summary = area_summary(data.areas[name], PERIOD, now=NOW)
        assert counts_of(summary) == expected("T1"), name
        assert summary.days_sum == pytest.approx(14.167)
        assert summary.days_count == 5
        assert summary.average_days == pytest.approx(EXPECTED_DAYS["T1"])
    # A table's rows plus its remainder are the area's summary.
    for kind in ("grid", "village", "child"):
        rows, rest = table_and_rest(kind, data.areas["T1"], PERIOD, now=NOW)
        total = totals(rows)
        assert rest is not None
        total.add(rest)
        assert counts_of(total) == expected("T1"), kind


@pytest.mark.django_db
def test_grid_workers(data):
    rows = {row.label: row for row in table("worker", data.areas["T1"], PERIOD, now=NOW)}
    worker, worker2 = data.town.worker.display_name, data.town.other_worker.display_name
    assert set(rows) == {worker, worker2}
    assert counts_of(rows[worker].figures) == expected("worker")
    assert counts_of(rows[worker2].figures) == expected("worker2")
    assert rows[worker2].figures.average_days == pytest.approx(EXPECTED_DAYS["worker2"])
    assert rows[worker2].detail == f"{data.areas['G2'].name}、{data.areas['G3'].name}"


@pytest.mark.django_db
def test_departments(data):
    rows = rows_by_key("department", data.areas["T1"])
    roads, justice = (str(data.departments[name].pk) for name in ("roads", "justice"))
    assert set(rows) == {roads, justice}
    assert counts_of(rows[roads]) == expected("roads")
    assert counts_of(rows[justice]) == expected("justice")
    assert rows[roads].average_days == pytest.approx(EXPECTED_DAYS["roads"])
    assert rows[justice].average_days == pytest.approx(EXPECTED_DAYS["justice"])
    # From the district, the other town's department shows too (with zeros).
    district_rows = rows_by_key("department", data.areas["D"])
    assert counts_of(district_rows[str(data.town.other_town_roads.pk)]) == expected("T2")
    assert counts_of(district_rows[justice]) == expected("justice")


@pytest.mark.django_db
def test_indicators_as_shown(data):
    from gridgov.command.templatetags.command_tags import percent

    figures = {
        **{name: f for name, f in (("T1", area_summary(data.areas["T1"], PERIOD, now=NOW)),)},
        **{name: rows_by_key("grid", data.areas["T1"])[data.areas[name].code] for name in ("G1", "G2", "G3", "G4")},
        "V1": rows_by_key("village", data.areas["T1"])[data.areas["V1"].code],
        "worker2": {r.key: r.figures for r in table("worker", data.areas["T1"], PERIOD, now=NOW)}[
            str(data.town.other_worker.pk)
        ],
        "roads": rows_by_key("department", data.areas["T1"])[str(data.departments["roads"].pk)],
        "justice": rows_by_key("department", data.areas["T1"])[str(data.departments["justice"].pk)],
    }  # fmt: skip
    keys = [indicator.key for indicator in INDICATORS]
    assert keys == [
        "response_rate", "resolution_rate", "on_time_rate", "return_rate", "rework_rate", "rating_rate",
        "satisfaction_rate",
    ]  # fmt: skip
    for name, rates in EXPECTED_RATES.items():
        shown = tuple(percent(getattr(figures[name], key)) for key in keys)
        assert shown == rates, name
    # A few as exact fractions.
    t1 = figures["T1"]
    assert t1.on_time_rate == 4 / 7
    assert t1.rating_rate == 3 / 6
    assert t1.satisfaction_rate == 2 / 3
    assert figures["roads"].rating_rate == 1.0  # never above 100 %: rated ⊆ rateable
    assert figures["G3"].satisfaction_rate is None  # nobody rated: no denominator


# --- Drill-through ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_number_equals_its_drill_through(data):
    """For every unit kind, every row and every count: the list behind the number has exactly that length."""
    checked = 0
    for area_name in ("D", "T1", "V1"):
        area = data.areas[area_name]
        for kind in indicators.UNIT_KINDS:
            rows, rest = table_and_rest(kind, area, PERIOD, now=NOW)
            for row in rows:
                for count in COUNTS:
                    listed = cases_behind(kind, row.key, area, PERIOD, count, now=NOW)
                    assert len(list(listed)) == listed.count() == getattr(row.figures, count), (
                        area_name, kind, row.label, count,
                    )  # fmt: skip
                    checked += 1
            if rest is not None:
                for count in COUNTS:
                    listed = cases_behind(REST, kind, area, PERIOD, count, now=NOW)
                    assert len(list(listed)) == getattr(rest, count), (area_name, kind, "rest", count)
        summary = area_summary(area, PERIOD, now=NOW)
        for count in COUNTS:
            listed = cases_behind("area", area.code, area, PERIOD, count, now=NOW)
            assert len(list(listed)) == getattr(summary, count), (area_name, count)
    assert checked > 300


@pytest.mark.django_db
def test_drill_through_lists_the_right_cases(data):
    t1 = data.areas["T1"]
    code = {name: data.areas[name].code for name in data.areas}

    def behind(kind: str, key: str, count: str, area: Area = t1) -> list[str]:
        return data.names(cases_behind(kind, key, area, PERIOD, count, now=NOW))

    assert behind("area", t1.code, "received") == [
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C6",
        "C9",
        "C10",
        "C11",
        "C12",
    ]
    assert behind("area", t1.code, "overdue_now") == ["C3", "C8", "C9", "C12"]  # C8: another period
    assert behind("area", t1.code, "due") == ["C1", "C2", "C3", "C4", "C5", "C11", "C12"]
    assert behind("area", t1.code, "responded_on_time") == ["C1", "C2", "C4", "C5", "C6", "C10", "C11", "C12"]
    assert behind("area", t1.code, "reworked") == ["C2", "C3", "C4", "C5"]
    assert behind("area", t1.code, "rateable") == ["C1", "C2", "C3", "C4", "C5", "C11"]
    assert behind("grid", code["G3"], "returned") == ["C5"]
    assert behind("grid", code["G2"], "resolved_on_time") == ["C11"]
    assert behind("village", code["V1"], "satisfied") == ["C1", "C4"]
    assert behind(REST, "grid", "received") == ["C10"]
    assert behind("worker", str(data.town.other_worker.pk), "overdue_now") == ["C3", "C9"]
    justice, roads = str(data.departments["justice"].pk), str(data.departments["roads"].pk)
    # Justice received C5 twice (sent back, then given to it again): two assignments, two lines.
    assert behind("department", justice, "received") == ["C3", "C5", "C5", "C6", "C12"]
    assert behind("department", justice, "responded_on_time") == ["C5", "C5", "C6"]
    assert behind("department", justice, "returned") == ["C5"]
    assert behind("department", roads, "overdue_now") == ["C3", "C8"]
    assert behind("department", roads, "rated") == ["C1", "C3", "C4"]
    lines = cases_behind("department", justice, t1, PERIOD, "received", now=NOW).filter(number="T-C5")
    statuses = lines.values_list("assignment_status", flat=True)
    assert sorted(statuses) == ["resolved", "returned"]


@pytest.mark.django_db
def test_overdue_now_is_taken_at_the_moment_of_the_query(data):
    t1 = data.areas["T1"]
    before = area_summary(t1, PERIOD, now=at(10, 31, 9))  # C3 (10:00), C9 and C12 still in time
    assert before.overdue_now == 1  # C8 only
    assert before.due == 5  # the resolved ones
    later = area_summary(t1, PERIOD, now=at(11, 21, 9))  # C6 passed its deadline too
    assert later.overdue_now == 5
    assert later.due == 8
    assert later.received == 10  # the period's counts do not move with "now"


@pytest.mark.django_db
def test_a_worker_counts_a_case_once(data):
    """A grant that contains another of the same worker (a village and its grid) still counts each case once."""
    grant(data.town.other_worker, Role.GRID_WORKER, area=data.areas["V2"])
    rows = {row.key: row.figures for row in table("worker", data.areas["T1"], PERIOD, now=NOW)}
    assert counts_of(rows[str(data.town.other_worker.pk)]) == expected("worker2")
    listed = cases_behind(
        "worker", str(data.town.other_worker.pk), data.areas["T1"], PERIOD, "received", now=NOW
    )
    assert listed.count() == 6


@pytest.mark.django_db
def test_unknown_units_and_counts(data):
    t1 = data.areas["T1"]
    with pytest.raises(ValueError):
        cases_behind("grid", data.areas["G1"].code, t1, PERIOD, "nonsense")
    with pytest.raises(ValueError):
        cases_behind(REST, "department", t1, PERIOD, "received")
    with pytest.raises(ValueError):
        table("nonsense", t1, PERIOD)
    with pytest.raises(Area.DoesNotExist):
        cases_behind("grid", data.areas["G1"].code, data.areas["V2"], PERIOD, "received")  # not inside V2


def test_every_indicator_has_counts_and_a_formula():
    for indicator in INDICATORS:
        assert indicator.numerator in COUNTS and indicator.denominator in COUNTS
        assert str(indicator.formula)
    assert set(indicators.COUNT_HELP) == set(COUNTS)
    empty = Figures()
    assert all(empty.rate(indicator.key) is None for indicator in INDICATORS)
    assert empty.average_days is None
