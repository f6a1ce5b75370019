"""The command-center bench's data: a district, its people and departments, and N cases over two years.

Imported by ``bench/command.py`` (the scripts run from this folder). Everything is drawn from one seeded
``random.Random``, so the same ``--seed``, ``--now`` and ``--cases`` give the same rows.

Why not the actions: a million cases through ``report_case`` … ``rate_case`` would take days (about 40
transitions per second, see docs/performance.md). The generator writes the rows directly instead (PostgreSQL
``COPY``, SQLite ``executemany`` in large transactions, secondary indexes and foreign keys detached during the
load and rebuilt and validated after it), but it replays the same lifecycle the actions implement, so that the
rows are what the actions would have left behind:

* every case walks ``workflow.TRANSITIONS`` (report → accept → dispatch → sign → resolve → verify → rate/close,
  with rejections, merges, escalations to the district, resolution in the grid, returns, rework and
  dissatisfied ratings that reopen), each step a ``CaseEvent`` with the verb, statuses, actor and ``data`` the
  action writes (``{"department": code}`` on return/resolve, ``{"satisfaction": …}`` on a rating…);
* deadlines come from the real working-day calendar (``core.calendar.is_workday``, holidays and make-up days):
  ``accept_by`` = 2 working hours, assignment ``sign_by`` = 1 working day, ``resolve_by`` = the category's SLA
  from ``clock_started_at``; ``working_days_taken`` = working days from the report to the last resolution (as
  ``timeline.save_case``);
* the deadline sweep is replayed too: a case in a watched status turns yellow at 75 % of its working hours and
  red when overdue, at the next 15-minute sweep, with an ``alert`` event, and keeps that colour once resolved
  (as ``cases.sweep`` leaves it);
* the life of each case is cut at ``now``: a case reported last week is still open, in whatever status its
  timeline had reached; assignments (one lead department, sometimes a helper) follow the same cut.

Left out on purpose (no command page reads them): notifications, photos, suspensions and extensions,
supervision orders, routing rules, personal-data views.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

# Module-level Django imports are fine: the script has configured Django before importing this module.
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant, User
from gridgov.cases.choices import (
    AlertLevel,
    CaseStatus,
    Channel,
    OwnerLevel,
    Priority,
    RequestType,
    Satisfaction,
)
from gridgov.cases.models import Case, CaseEvent, CaseNumberCounter, Category
from gridgov.core.calendar import is_workday, is_year_known, pinned_calendar
from gridgov.core.models import AuditEntry
from gridgov.demo.loader import DISTRICT_DEPARTMENTS, ROUTES, TOWN_DEPARTMENTS
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment, Department
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.triage.corpus import corpus_files, read_jsonl

#: The audit row that marks a finished load (``--reuse`` looks for it; written last, so a failed load has none).
MARKER_VERB = "bench.command.generated"
#: Every generated account's password (bench databases only).
BENCH_PASSWORD = "gridgov-bench"  # noqa: S105
LEADER_USERNAME = "bench-leader"

# --- The place -------------------------------------------------------------------------------------------------

CITY = ("320600", "南通市")
DISTRICT = ("320612", "通州区")
#: Towns and streets: (name, case number prefix). The first ones are streets (more people, more cases).
TOWNS = [
    ("金沙街道", "JS"),
    ("先锋街道", "XF"),
    ("兴东街道", "XD"),
    ("西亭镇", "XT"),
    ("二甲镇", "EJ"),
    ("东社镇", "DS"),
    ("三余镇", "SY"),
    ("十总镇", "SZ"),
    ("平潮镇", "PC"),
    ("刘桥镇", "LQ"),
    ("石港镇", "SG"),
    ("兴仁镇", "XR"),
    ("川姜镇", "CJ"),
    ("五接镇", "WJ"),
    ("骑岸镇", "QA"),
    ("张芝山镇", "ZZ"),
]
VILLAGE_NAMES = [
    "新华",
    "建设",
    "红旗",
    "光明",
    "友谊",
    "团结",
    "胜利",
    "和平",
    "幸福",
    "永兴",
    "长安",
    "东升",
    "新民",
    "金星",
    "太平",
    "丰收",
    "五星",
    "联合",
    "双桥",
    "青龙",
    "白蒲",
    "花园",
    "兴隆",
    "同心",
    "向阳",
    "三星",
    "育才",
    "新港",
    "南园",
    "北渡",
]
#: The district's centre, near 通州 (Nantong): every boundary is a few kilometres around it.
CENTER_LON, CENTER_LAT = 120.95, 32.05
GRID_KM = 1.2  # a grid is about 1.2 km across
KM_PER_LAT = 111.0
KM_PER_LON = 111.0 * math.cos(math.radians(CENTER_LAT))

# --- The mixes -------------------------------------------------------------------------------------------------

#: How often each category comes in (relative); hotspots add their own on top.
CATEGORY_WEIGHTS = {
    "road": 12, "sanitation": 14, "water": 5, "dispute": 9, "welfare": 6, "agriculture": 4, "safety": 6,
    "urban": 12, "utilities": 6, "environment": 6, "property": 7, "legal": 2, "market": 3, "health": 2,
    "public_security": 2, "labor": 2, "education": 1.5, "other": 4,
}  # fmt: skip
CHANNEL_WEIGHTS = {
    Channel.GRID_WORKER: 45, Channel.HOTLINE: 25, Channel.WEB: 16, Channel.OPEN311: 5, Channel.IMPORT: 4,
    Channel.STAFF: 4, Channel.WISH: 1,
}  # fmt: skip
#: Which voice of the corpus a channel's texts are written in.
CHANNEL_VOICE = {Channel.GRID_WORKER: "grid_worker", Channel.STAFF: "grid_worker", Channel.HOTLINE: "hotline"}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
RESOLUTIONS = [
    "已现场处置完毕，拍照留存。",
    "经协调，问题已解决，群众表示认可。",
    "已安排人员维修完成。",
    "已约谈当事人并调解成功，双方签订调解协议。",
    "已清理完毕，并安排专人定期巡查。",
    "已答复来电人相关政策及办理流程。",
]
RETURN_REASONS = ["非本单位职责，请改派。", "该事项属地管理，请改派属地镇街。", "事发地点不在本单位辖区。"]
REJECT_REASONS = ["不属于受理范围，已告知来电人。", "信息不全，无法核实。", "属于司法程序内事项，不予受理。"]
REDO_NOTES = ["现场核查问题仍存在，请返工。", "处置不彻底，群众仍有反映。"]
ESCALATE_REASONS = ["需多部门协同处置，提请上级指挥中心协调。", "格内无法化解，上报镇指挥中心。"]
URGE_NOTES = ["请加快办理进度。", "该件已超期，请尽快办结并反馈。"]

SWEEP_SECONDS = 15 * 60  # the deadline sweep's period (cron)
NEVER = 1 << 62
EPOCH = datetime(1970, 1, 1)


# --- Rows in, rows out ----------------------------------------------------------------------------------------


def model_columns(model: type[models.Model], given: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
    """The columns to insert: ``given`` plus any column of ``model`` it does not name, filled with the field's
    default (so a field added by someone else later still loads, or fails here, by name, if it has none)."""
    extra_columns: list[str] = []
    extra_values: list[Any] = []
    for item in model._meta.concrete_fields:
        if item.column in given:
            continue
        if not item.has_default() and not item.null:
            raise RuntimeError(
                f"{model.__name__}.{item.name} has no default: teach bench/_command_data.py it"
            )
        value = item.get_default() if item.has_default() else None
        extra_columns.append(item.column)
        extra_values.append(json.dumps(value) if isinstance(item, models.JSONField) else value)
    unknown = set(given) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise RuntimeError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    return [*given, *extra_columns], tuple(extra_values)


CASE_COLUMNS = [
    "id", "number", "channel", "request_type", "category_id", "title", "text", "address", "lat", "lon",
    "grid_id", "area_path", "owner_level", "owner_area_id", "reporter_id", "reporter_name", "reporter_phone",
    "priority", "status", "version", "reported_at", "accepted_at", "dispatched_at", "resolved_at", "closed_at",
    "accept_by", "clock_started_at", "budget_days", "suspended_hours", "supervise_by", "resolve_by",
    "deadline_provisional", "alert_level", "suspended_at", "resolution", "working_days_taken", "satisfaction",
    "reopen_count", "merged_into_id", "created_at", "updated_at",
]  # fmt: skip
EVENT_COLUMNS = [
    "id",
    "case_id",
    "at",
    "actor_id",
    "verb",
    "from_status",
    "to_status",
    "note",
    "data",
    "public",
]
ASSIGNMENT_COLUMNS = [
    "id", "case_id", "department_id", "role", "status", "assigned_by_id", "sign_by", "signed_at",
    "signed_by_id", "finished_at", "note", "created_at", "updated_at",
]  # fmt: skip


class TimeText:
    """Epoch seconds → the text the database column takes (UTC; ``+00`` on PostgreSQL, as Django stores it
    naive in UTC on SQLite). Days and times of day are tabulated: this runs ~10 million times."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self.days: dict[int, str] = {}
        self.clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{suffix}" for s in range(86400)]

    def __call__(self, ts: int | None) -> str | None:
        if ts is None:
            return None
        day, second = divmod(ts, 86400)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = (EPOCH + timedelta(days=day)).strftime("%Y-%m-%d ")
        return text + self.clock[second]


# --- Working-day clocks ------------------------------------------------------------------------------------------


class Clock:
    """The working-day calendar of ``core.calendar`` as two cumulative clocks over a range of local days:
    whole working days (SLA deadlines, ``working_days_between``) and office hours (acceptance deadlines,
    ``working_time_between``). ``add_*`` give the earliest moment at which that much working time has passed, as
    ``add_working_days`` / ``add_working_hours`` do; every call is a bisection instead of a walk over days."""

    def __init__(self, first: date, days: int) -> None:
        zone = timezone.get_default_timezone()
        self.first = first
        self.windows = [_parse_window(text) for text in settings.GRIDGOV["WORKING_HOURS"]]
        self.midnights: list[int] = []
        self.work: list[bool] = []
        self.known: list[bool] = []
        self.cum_day: list[int] = [0]
        self.cum_hour: list[int] = [0]
        office = sum(end - begin for begin, end in self.windows)
        with pinned_calendar():
            for offset in range(days + 1):
                day = first + timedelta(days=offset)
                self.midnights.append(int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()))
                if offset == days:
                    break
                working = is_workday(day)
                self.work.append(working)
                self.known.append(is_year_known(day.year))
        for index, working in enumerate(self.work):
            length = self.midnights[index + 1] - self.midnights[index]
            self.cum_day.append(self.cum_day[-1] + (length if working else 0))
            self.cum_hour.append(self.cum_hour[-1] + (office if working else 0))
        #: office seconds passed at each second of a working day
        self.office_at = [
            sum(min(max(second - begin, 0), end - begin) for begin, end in self.windows)
            for second in range(90001)
        ]
        self.origin = self.midnights[0]
        self.last = len(self.work) - 1

    def day_index(self, ts: int) -> int:
        # Days are 24 h but for daylight-saving changes: guess, then step to the right day.
        index = (ts - self.origin) // 86400
        if not 0 <= index <= self.last:
            raise ValueError(f"{ts} lies outside the bench calendar")
        midnights = self.midnights
        while index > 0 and midnights[index] > ts:
            index -= 1
        while index < self.last and midnights[index + 1] <= ts:
            index += 1
        return index

    def local_date(self, ts: int) -> date:
        return self.first + timedelta(days=self.day_index(ts))

    def wd(self, ts: int) -> int:
        """Working seconds (whole working days) from the first day to ``ts``."""
        index = self.day_index(ts)
        if not self.work[index]:
            return self.cum_day[index]
        return self.cum_day[index] + ts - self.midnights[index]

    def wh(self, ts: int) -> int:
        """Office seconds from the first day to ``ts``."""
        index = self.day_index(ts)
        if not self.work[index]:
            return self.cum_hour[index]
        return self.cum_hour[index] + self.office_at[ts - self.midnights[index]]

    def add_days(self, ts: int, days: float) -> int:
        target = self.wd(ts) + days * 86400
        index = min(bisect.bisect_left(self.cum_day, target), len(self.work)) - 1
        return self.midnights[index] + math.ceil(target - self.cum_day[index])

    def add_hours(self, ts: int, hours: float) -> int:
        target = self.wh(ts) + hours * 3600
        index = min(bisect.bisect_left(self.cum_hour, target), len(self.work)) - 1
        rest = target - self.cum_hour[index]
        for begin, end in self.windows:
            if rest <= end - begin:
                return self.midnights[index] + begin + math.ceil(rest)
            rest -= end - begin
        return self.midnights[index + 1]

    def days_between(self, start: int, end: int) -> float:
        return (self.wd(end) - self.wd(start)) / 86400

    def provisional(self, start: int, end: int) -> bool:
        """Did a deadline from ``start`` to ``end`` look at a year whose schedule is unknown (weekends only)?"""
        return not (self.known[self.day_index(start)] and self.known[self.day_index(end)])


def _parse_window(text: str) -> tuple[int, int]:
    begin, end = (part.strip() for part in text.split("-"))
    return _seconds(begin), _seconds(end)


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


# --- The region -----------------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


@dataclass
class Hotspot:
    lon: float
    lat: float
    sigma_lon: float
    sigma_lat: float
    category: int  # index into Generator.categories
    weight: float


@dataclass
class Grid:
    id: int
    code: str
    path: str
    box: Box
    town: int  # index into Region.towns
    village_name: str
    worker: int  # user ids
    chief: int
    weight: float
    hotspots: list[Hotspot] = field(default_factory=list)
    hot_cum: list[float] = field(default_factory=list)


@dataclass
class Town:
    id: int
    code: str
    prefix: str
    dispatcher: int
    #: category code → (lead department id, lead code, [(helper id, helper code)])
    routes: dict[str, tuple[int, str, list[tuple[int, str]]]] = field(default_factory=dict)


@dataclass
class Region:
    district_id: int
    district_code: str
    district_dispatcher: int
    leader: int
    system: int
    towns: list[Town]
    grids: list[Grid]
    #: category code → district lead (id, code) for cases escalated to the district
    district_routes: dict[str, tuple[int, str]]
    departments: list[tuple[int, str]]  # every (id, code)
    handler: dict[int, int]  # department id → handler user id
    area_count: int = 0
    user_count: int = 0


def _split(box: Box, count: int, rng: random.Random, jitter: float = 0.18) -> list[Box]:
    """Cut ``box`` into ``count`` square-ish cells that tile it exactly: rows of nearly equal counts, the row
    and column lines moved a little at random so that the map does not look like graph paper."""
    min_lon, min_lat, max_lon, max_lat = box
    width_km = (max_lon - min_lon) * KM_PER_LON
    height_km = (max_lat - min_lat) * KM_PER_LAT
    rows = max(1, min(count, round(math.sqrt(count * height_km / width_km))))
    per_row = [count // rows + (1 if index < count % rows else 0) for index in range(rows)]
    lines = [min_lat]
    for index in range(rows):
        lines.append(lines[-1] + (max_lat - min_lat) * per_row[index] / count)
    lines = [lines[0], *(_nudge(rng, lines, i, jitter) for i in range(1, rows)), max_lat]
    cells: list[Box] = []
    for row, cells_in_row in enumerate(per_row):
        columns = [min_lon + (max_lon - min_lon) * i / cells_in_row for i in range(cells_in_row + 1)]
        columns = [columns[0], *(_nudge(rng, columns, i, jitter) for i in range(1, cells_in_row)), max_lon]
        for column in range(cells_in_row):
            cells.append((columns[column], lines[row], columns[column + 1], lines[row + 1]))
    return cells


def _nudge(rng: random.Random, lines: list[float], index: int, jitter: float) -> float:
    step = min(lines[index] - lines[index - 1], lines[index + 1] - lines[index])
    return lines[index] + rng.uniform(-jitter, jitter) * step


def _polygon(box: Box) -> dict[str, Any]:
    a, b, c, d = (round(value, 6) for value in box)
    return {"type": "Polygon", "coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]]}


def _area(code: str, name: str, level: str, parent: Area | None, box: Box, **extra: Any) -> Area:
    a, b, c, d = (round(value, 6) for value in box)
    return Area(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=f"{parent.path if parent else '/'}{code}/",
        boundary=_polygon(box),
        centroid_lat=round((b + d) / 2, 6),
        centroid_lon=round((a + c) / 2, 6),
        min_lon=a,
        min_lat=b,
        max_lon=c,
        max_lat=d,
        **extra,
    )


def build_region(
    rng: random.Random, *, towns: int, villages: int, grids: int, categories: list[Category]
) -> Region:
    """Write the area tree, departments, accounts and role grants (bulk inserts; a few hundred rows each)."""
    towns = min(towns, len(TOWNS))
    total_grids = towns * villages * grids
    side_km = math.sqrt(total_grids) * GRID_KM
    half_lon, half_lat = side_km / KM_PER_LON / 2, side_km / KM_PER_LAT / 2
    district_box = (
        CENTER_LON - half_lon,
        CENTER_LAT - half_lat,
        CENTER_LON + half_lon,
        CENTER_LAT + half_lat,
    )
    city_box = (district_box[0] - 0.2, district_box[1] - 0.2, district_box[2] + 0.2, district_box[3] + 0.2)
    city = _area(*CITY, AreaLevel.CITY, None, city_box)
    city.save()
    district = _area(*DISTRICT, AreaLevel.DISTRICT, city, district_box)
    district.save()

    town_areas = Area.objects.bulk_create(
        [
            _area(
                f"{DISTRICT[0]}{101 + index:03d}",
                TOWNS[index][0],
                AreaLevel.TOWN,
                district,
                box,
                case_prefix=TOWNS[index][1],
            )
            for index, box in enumerate(_split(district_box, towns, rng))
        ]
    )
    village_rows: list[Area] = []
    for town in town_areas:
        suffix = "社区" if town.name.endswith("街道") else "村"
        names = rng.sample(VILLAGE_NAMES, villages) if villages <= len(VILLAGE_NAMES) else []
        assert town.min_lon is not None and town.min_lat is not None  # noqa: S101 - set by _area
        assert town.max_lon is not None and town.max_lat is not None  # noqa: S101
        town_box = (town.min_lon, town.min_lat, town.max_lon, town.max_lat)
        for index, box in enumerate(_split(town_box, villages, rng)):
            name = f"{names[index]}{suffix}" if names else f"第{index + 1}{suffix}"
            village_rows.append(_area(f"{town.code}{201 + index:03d}", name, AreaLevel.VILLAGE, town, box))
    village_areas = Area.objects.bulk_create(village_rows)
    grid_rows: list[Area] = []
    for village in village_areas:
        assert village.min_lon is not None and village.min_lat is not None  # noqa: S101
        assert village.max_lon is not None and village.max_lat is not None  # noqa: S101
        village_box = (village.min_lon, village.min_lat, village.max_lon, village.max_lat)
        for index, box in enumerate(_split(village_box, grids, rng)):
            grid_rows.append(
                _area(
                    f"{village.code}{index + 1:03d}",
                    f"{village.name}第{index + 1}网格",
                    AreaLevel.GRID,
                    village,
                    box,
                    aliases=[f"{village.name}{index + 1}组"],
                )
            )
    grid_areas = Area.objects.bulk_create(grid_rows)

    # Departments: the district's bureaus and three offices in every town (about 40 in all).
    kinds_in_town = {"zongzhi", "jianshe", "chengguan"}
    departments = [
        Department(code=f"{district.code}-{suffix}", name=f"{district.name}{name}", kind=kind, area=district)
        for suffix, name, kind in DISTRICT_DEPARTMENTS
    ]
    for town in town_areas:
        departments += [
            Department(code=f"{town.code}-{suffix}", name=f"{town.name}{name}", kind=kind, area=town)
            for suffix, name, kind in TOWN_DEPARTMENTS
            if suffix in kinds_in_town
        ]
    departments = Department.objects.bulk_create(departments)
    by_kind: dict[tuple[int, str], Department] = {}
    for department in departments:
        by_kind.setdefault((department.area_id, department.kind), department)

    # Accounts (one password hash for all: hashing 600 passwords would take a minute) and their grants.
    password = make_password(BENCH_PASSWORD)
    system = ensure_system_user()
    users: list[User] = [
        User(username=LEADER_USERNAME, name="通州区分管领导", password=password),
        User(username="bench-district", name="通州区指挥中心坐席", password=password, is_staff=True),
    ]
    grants: list[tuple[int, str, Area | None, Department | None]] = [
        (0, Role.LEADER, district, None),
        (1, Role.DISPATCHER, district, None),
    ]
    for town in town_areas:
        grants.append((len(users), Role.DISPATCHER, town, None))
        users.append(User(username=f"bench-town-{town.code}", name=f"{town.name}指挥中心坐席", password=password, is_staff=True))  # fmt: skip
    for department in departments:
        grants.append((len(users), Role.DEPARTMENT_HANDLER, None, department))
        users.append(User(username=f"bench-dept-{department.code}", name=department.name, password=password))
    for village in village_areas:
        grants.append((len(users), Role.GRID_CHIEF, village, None))
        users.append(User(username=f"bench-chief-{village.code}", name=f"{village.name}网格长", password=password))  # fmt: skip
    for grid in grid_areas:
        grants.append((len(users), Role.GRID_WORKER, grid, None))
        users.append(User(username=f"bench-grid-{grid.code}", name=f"{grid.name}网格员", password=password))
    users = User.objects.bulk_create(users)
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=users[index], role=role, area=area, department=dep)
            for index, role, area, dep in grants
        ]
    )
    user_of = {(role, (area or dep).pk): users[index].pk for index, role, area, dep in grants}  # type: ignore[union-attr]

    def department_of(area: Area, kind: str | None) -> Department | None:
        return by_kind.get((area.pk, kind)) if kind else None

    region = Region(
        district_id=district.pk,
        district_code=district.code,
        district_dispatcher=users[1].pk,
        leader=users[0].pk,
        system=system.pk,
        towns=[],
        grids=[],
        district_routes={},
        departments=[(d.pk, d.code) for d in departments],
        handler={d.pk: user_of[(Role.DEPARTMENT_HANDLER, d.pk)] for d in departments},
        area_count=2 + len(town_areas) + len(village_areas) + len(grid_areas),
        user_count=len(users) + 1,
    )
    for code, (_town_kind, _helpers, district_kind) in ROUTES.items():
        lead = department_of(district, district_kind) or department_of(district, "command")
        assert lead is not None  # noqa: S101 - the district has a command center
        region.district_routes[code] = (lead.pk, lead.code)
    town_index = {town.pk: index for index, town in enumerate(town_areas)}
    for town in town_areas:
        item = Town(town.pk, town.code, town.case_prefix, user_of[(Role.DISPATCHER, town.pk)])
        for code, (town_kind, helper_kinds, district_kind) in ROUTES.items():
            lead = department_of(town, town_kind) or department_of(district, district_kind)
            lead = lead or department_of(district, "command")
            assert lead is not None  # noqa: S101
            helpers = []
            for kind in helper_kinds:
                helper = department_of(town, kind) or department_of(district, kind)
                if helper is not None and helper.pk != lead.pk:
                    helpers.append((helper.pk, helper.code))
            item.routes[code] = (lead.pk, lead.code, helpers)
        region.towns.append(item)

    # Grids: how busy each one is, and its hotspots (a market, a school gate, a river bend…), each with the
    # category it mostly produces, so that the hotspot map has real clusters.
    category_index = {category.code: index for index, category in enumerate(categories)}
    hot_categories = ["sanitation", "road", "urban", "water", "environment", "market", "safety", "property"]
    village_of = {village.pk: village for village in village_areas}
    for grid in grid_areas:
        village = village_of[grid.parent_id]  # type: ignore[index]
        town_at = town_index[village.parent_id]  # type: ignore[index]
        assert grid.min_lon is not None and grid.min_lat is not None  # noqa: S101
        assert grid.max_lon is not None and grid.max_lat is not None  # noqa: S101
        box = (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat)
        weight = rng.lognormvariate(0, 0.7) * (2.5 if town_at < 3 else 1.0)
        cell = Grid(
            grid.pk, grid.code, grid.path, box, town_at, village.name,
            user_of[(Role.GRID_WORKER, grid.pk)], user_of[(Role.GRID_CHIEF, village.pk)], weight,
        )  # fmt: skip
        spots = rng.choices([0, 1, 2], weights=[50, 35, 15])[0]
        for _ in range(spots):
            width, height = box[2] - box[0], box[3] - box[1]
            cell.hotspots.append(
                Hotspot(
                    lon=box[0] + width * rng.uniform(0.2, 0.8),
                    lat=box[1] + height * rng.uniform(0.2, 0.8),
                    sigma_lon=width * rng.uniform(0.03, 0.12),
                    sigma_lat=height * rng.uniform(0.03, 0.12),
                    category=category_index.get(rng.choice(hot_categories), 0),
                    weight=rng.lognormvariate(0, 0.8),
                )
            )
        cell.hot_cum = list(itertools.accumulate(hotspot.weight for hotspot in cell.hotspots))
        region.grids.append(cell)
    return region


# --- The cases ------------------------------------------------------------------------------------------------


class _Stop(Exception):
    """The next step of a case's life would happen after ``now``: the case stays as it is."""


WATCHED_ACCEPT = frozenset({CaseStatus.REPORTED})
WATCHED_RESOLVE = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED}
)
TERMINAL = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED})


class _Case:
    """The state of one case while its life is replayed (the fields the actions change). Times are epoch
    seconds; ``t`` is the time of the latest step, ``watch_since`` where the deadline sweep looks from."""

    __slots__ = (
        "accept_by", "accepted", "actor_center", "alert", "assignments", "budget", "category", "channel",
        "clock_start", "closed", "dispatched", "events", "grid", "id", "merged_into", "number", "owner_area",
        "owner_level", "reopen_count", "reported", "resolution", "resolve_by", "resolved", "satisfaction",
        "stage", "status", "t", "updated", "watch_since",
    )  # fmt: skip

    def __init__(
        self, case_id: int, number: str, channel: str, grid: Grid, category: Category, at: int
    ) -> None:
        self.id = case_id
        self.number = number
        self.channel = channel
        self.grid = grid
        self.category = category
        self.budget: int = category.sla_working_days
        self.reported: int = at
        self.t: int = at
        self.updated: int = at
        self.watch_since: int = at
        self.status: str = ""
        self.alert: str = AlertLevel.NORMAL
        self.owner_level: str = OwnerLevel.TOWN
        self.owner_area: int = 0
        self.actor_center: int = 0
        self.accepted: int | None = None
        self.dispatched: int | None = None
        self.resolved: int | None = None
        self.closed: int | None = None
        self.accept_by: int | None = None
        self.clock_start: int | None = None
        self.resolve_by: int | None = None
        self.satisfaction: str = ""
        self.resolution: str = ""
        self.reopen_count: int = 0
        self.merged_into: int | None = None
        self.stage: tuple[int, int, int, int] = (0, 0, 0, 0)  # start, end, allowed, yellow (sweep memo)
        self.events: list[tuple[Any, ...]] = []
        self.assignments: list[list[Any]] = []


@dataclass
class Totals:
    cases: int = 0
    events: int = 0
    assignments: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    alerts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    verbs: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Generator:
    """Draws cases one by one in the order they were reported and replays each one's life up to ``now``."""

    def __init__(
        self, rng: random.Random, region: Region, categories: list[Category], now: int, ts: TimeText
    ) -> None:
        self.rng = rng
        self.region = region
        self.categories = categories
        self.now = now
        self.ts = ts
        self.start = now - 730 * 86400
        first = datetime.fromtimestamp(self.start, timezone.get_default_timezone()).date() - timedelta(days=3)
        self.clock = Clock(first, 730 + 3 + 800)  # deadlines of open cases and slow cases reach past now
        self.totals = Totals()
        self.event_ids = itertools.count(1)
        self.assignment_ids = itertools.count(1)
        self.counters: dict[tuple[str, date], int] = defaultdict(int)
        self.recent: dict[int, deque[tuple[int, str, int, int, int]]] = defaultdict(lambda: deque(maxlen=6))
        self.department_code = dict(region.departments)
        self.yellow_at = float(settings.GRIDGOV["YELLOW_AT"])
        self.grid_cum = list(itertools.accumulate(grid.weight for grid in region.grids))
        codes = [category.code for category in categories]
        self.category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS.get(code, 1) for code in codes))
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_cum = list(itertools.accumulate(CHANNEL_WEIGHTS.values()))
        self.texts = _corpus_by_category(codes)
        self.data_cache: dict[tuple[Any, ...], str] = {}
        self.report_json = {channel: json.dumps({"channel": channel}) for channel in Channel.values}

    # --- drawing ------------------------------------------------------------------------------------------------

    def report_times(self, count: int) -> list[int]:
        """``count`` report times over the two years, sorted: growing by a third over the period, fewer at the
        weekend and around the Spring Festival, more in summer, mostly in the daytime."""
        rng = self.rng
        zone = timezone.get_default_timezone()
        first_day = datetime.fromtimestamp(self.start, zone).date()
        weights = []
        for offset in range(731):
            day = first_day + timedelta(days=offset)
            weight = (1 + 0.35 * offset / 730) * (0.6 if day.weekday() >= 5 else 1.0)
            weight *= 1 + 0.15 * math.sin((day.timetuple().tm_yday - 100) / 365 * 2 * math.pi)
            if day.month == 2 and day.day <= 15:
                weight *= 0.6
            weights.append(weight)
        hours = [1, 0.6, 0.4, 0.3, 0.4, 0.8, 2, 4, 8, 10, 10, 9, 6, 6, 9, 10, 9, 8, 6, 5, 4, 3, 2, 1.5]
        day_cum = list(itertools.accumulate(weights))
        hour_cum = list(itertools.accumulate(hours))
        midnights = [int(datetime.combine(first_day + timedelta(days=i), datetime.min.time(), zone).timestamp()) for i in range(731)]  # fmt: skip
        times = []
        for _ in range(count):
            day_at = bisect.bisect(day_cum, rng.random() * day_cum[-1])
            hour = bisect.bisect(hour_cum, rng.random() * hour_cum[-1])
            moment = midnights[min(day_at, 730)] + hour * 3600 + rng.randrange(3600)
            times.append(min(max(moment, self.start), self.now - 60))
        times.sort()
        return times

    def _data(self, *key: Any) -> str:
        """The JSON ``data`` of an event (memoised: few distinct values, millions of events)."""
        text = self.data_cache.get(key)
        if text is None:
            verb, *rest = key
            value: dict[str, Any]
            if verb == "dispatch":
                value = {"lead": rest[0], "helpers": list(rest[1])}
            elif verb in ("sign", "sign_helper"):
                value = {"department": rest[0], "role": rest[1]}
            elif verb in ("return", "resolve"):
                value = {"department": rest[0]}
            elif verb in ("rate_satisfied", "rate_dissatisfied"):
                value = {"satisfaction": rest[0], "by_visit": rest[1]}
            elif verb == "accept":
                value = {"category": rest[0]}
            elif verb in ("escalate", "categorise", "alert"):
                value = {"from": rest[0], "to": rest[1]}
            else:
                value = {}
            text = self.data_cache[key] = json.dumps(value, ensure_ascii=False)
        return text

    # --- the timeline -----------------------------------------------------------------------------------------

    def _event(
        self, c: _Case, t: int, actor: int | None, verb: str, to: str | None = None, note: str = "",
        data: str = "{}", public: bool = True,
    ) -> None:  # fmt: skip
        """Append one event at ``t``; a transition (``to``) sweeps the deadline colours up to ``t`` first and
        changes the status. Raises ``_Stop`` when ``t`` is after ``now``."""
        if t > self.now:
            raise _Stop
        if to is not None:
            self._sweep(c, t)
        before = c.status
        if to is not None:
            c.status = to
        c.events.append((next(self.event_ids), c.id, t, actor, verb, before if to is not None else "", to or "", note, data, public))  # fmt: skip
        c.t = max(c.t, t)
        c.updated = max(c.updated, t)

    def _sweep(self, c: _Case, until: int) -> None:
        """The deadline sweep's colour changes while the case sat in a watched status, before ``until``."""
        start: int | None
        end: int | None
        if c.status in WATCHED_ACCEPT:
            start, end = c.reported, c.accept_by
        elif c.status in WATCHED_RESOLVE:
            start, end = c.clock_start, c.resolve_by
        else:
            return
        if start is None or end is None:
            return
        hours = self.clock.wh
        if c.stage[0] != start or c.stage[1] != end:
            allowed = hours(end) - hours(start)
            yellow = self.clock.add_hours(start, self.yellow_at * allowed / 3600) if allowed > 0 else start
            c.stage = (start, end, allowed, yellow)
        allowed, yellow_at = c.stage[2], c.stage[3]
        if _tick(end + 1) < c.watch_since and c.alert == AlertLevel.RED:
            return  # red already and long overdue: nothing can change until the status does
        # The colour only changes at these sweeps: the first one in the stage (a stale colour is corrected),
        # the first past 75 % of the time, the first past the deadline.
        for tick in sorted({_tick(c.watch_since), _tick(yellow_at), _tick(end + 1)}):
            moment = tick + 30
            if tick < c.watch_since or moment >= until or moment > self.now:
                continue
            if tick > end:
                level = AlertLevel.RED
            elif allowed <= 0 or hours(tick) - hours(start) >= self.yellow_at * allowed:
                level = AlertLevel.YELLOW
            else:
                level = AlertLevel.NORMAL
            if level != c.alert:
                data = self._data("alert", c.alert, level)
                c.events.append(
                    (next(self.event_ids), c.id, moment, self.region.system, "alert", "", "", "", data, False)
                )
                c.alert = level
                c.updated = max(c.updated, moment)
        c.watch_since = max(c.watch_since, min(until, self.now))

    def _start_clock(self, c: _Case, t: int) -> None:
        c.clock_start = t
        c.resolve_by = self.clock.add_days(t, c.budget)

    def _watch(self, c: _Case, t: int, reset: bool) -> None:
        c.watch_since = t
        if reset:
            c.alert = AlertLevel.NORMAL

    def _assign(
        self, c: _Case, t: int, actor: int, lead: tuple[int, str], helpers: list[tuple[int, str]]
    ) -> None:
        for item in c.assignments:
            if item[4] in (AssignmentStatus.PENDING, AssignmentStatus.SIGNED):
                item[4], item[9], item[12] = AssignmentStatus.CANCELLED, t, t
        sign_by = self.clock.add_days(t, 1)
        for (department, _code), role in [(lead, AssignmentRole.LEAD)] + [(h, AssignmentRole.HELPER) for h in helpers]:  # fmt: skip
            c.assignments.append([next(self.assignment_ids), c.id, department, role, AssignmentStatus.PENDING, actor, sign_by, None, None, None, "", t, t])  # fmt: skip

    def case(
        self, case_id: int, reported: int
    ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[list[Any]]]:
        """One case: its row, its events and its assignments."""
        rng = self.rng
        region = self.region
        grid = region.grids[bisect.bisect(self.grid_cum, rng.random() * self.grid_cum[-1])]
        town = region.towns[grid.town]
        spot = None
        if grid.hotspots and rng.random() < 0.45:
            spot = grid.hotspots[bisect.bisect(grid.hot_cum, rng.random() * grid.hot_cum[-1])]
        if spot is not None and rng.random() < 0.6:
            category_at = spot.category
        else:
            category_at = bisect.bisect(self.category_cum, rng.random() * self.category_cum[-1])
        category = self.categories[category_at]
        channel = self.channels[bisect.bisect(self.channel_cum, rng.random() * self.channel_cum[-1])]
        text, request_type, urgent = rng.choice(
            self.texts[category.code][CHANNEL_VOICE.get(channel, "resident")]
        )
        min_lon, min_lat, max_lon, max_lat = grid.box
        if channel in (Channel.HOTLINE, Channel.IMPORT) and rng.random() < 0.25:
            lat = lon = None  # an address only
        elif spot is not None:
            lon = min(max(rng.gauss(spot.lon, spot.sigma_lon), min_lon + 1e-6), max_lon - 1e-6)
            lat = min(max(rng.gauss(spot.lat, spot.sigma_lat), min_lat + 1e-6), max_lat - 1e-6)
        else:
            lon, lat = (
                rng.uniform(min_lon + 1e-6, max_lon - 1e-6),
                rng.uniform(min_lat + 1e-6, max_lat - 1e-6),
            )
        if lat is not None and lon is not None:
            lat, lon = round(lat, 6), round(lon, 6)
        priority = (
            Priority.URGENT if (urgent and rng.random() < 0.3) or rng.random() < 0.01 else Priority.NORMAL
        )
        day = self.clock.local_date(reported)
        self.counters[(town.prefix, day)] += 1
        number = f"{town.prefix}-{day:%Y%m%d}-{self.counters[(town.prefix, day)]:04d}"

        c = _Case(case_id, number, channel, grid, category, reported)
        c.owner_area, c.actor_center = town.id, town.dispatcher
        wrong_first = rng.random() < 0.08  # triage guessed another category, the center corrects it
        try:
            self._life(c, town, grid, wrong_first)
        except _Stop:
            self._sweep(c, self.now + 1)
        done = c.updated if c.status in TERMINAL else NEVER
        self.recent[grid.id].append((case_id, number, category.pk, reported, done))

        reporter_name = reporter_phone = ""
        if channel in (Channel.HOTLINE, Channel.WEB, Channel.WISH) and rng.random() < 0.8:
            reporter_name = rng.choice(SURNAMES) + rng.choice(("先生", "女士"))
            reporter_phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        address = f"{grid.village_name}{rng.randint(1, 30)}组" if rng.random() < 0.6 else ""
        ts = self.ts
        working_days = (
            round(self.clock.days_between(reported, c.resolved), 3) if c.resolved is not None else None
        )
        provisional = (
            c.resolve_by is not None
            and c.clock_start is not None
            and self.clock.provisional(c.clock_start, c.resolve_by)
        )
        row = (
            case_id, number, channel, request_type or RequestType.OTHER, category.pk, text[:30], text, address,
            lat, lon, grid.id, grid.path, c.owner_level, c.owner_area, None, reporter_name, reporter_phone,
            priority, c.status, len(c.events), ts(reported), ts(c.accepted), ts(c.dispatched), ts(c.resolved),
            ts(c.closed), ts(c.accept_by), ts(c.clock_start), c.budget if c.clock_start is not None else 0, 0.0,
            None, ts(c.resolve_by), provisional, c.alert, None, c.resolution, working_days, c.satisfaction,
            c.reopen_count, c.merged_into, ts(reported), ts(c.updated),
        )  # fmt: skip
        totals = self.totals
        totals.cases += 1
        totals.statuses[c.status] += 1
        if c.status not in TERMINAL:
            totals.alerts[c.alert] += 1
        return row, c.events, c.assignments

    def _life(self, c: _Case, town: Town, grid: Grid, wrong_first: bool) -> None:
        rng = self.rng
        clock = self.clock
        t = c.reported
        category = c.category
        first_category = self.categories[rng.randrange(len(self.categories))] if wrong_first else category
        if c.channel == Channel.GRID_WORKER:
            # A grid worker's own report: accepted at once, held by the grid (格内化解 first).
            c.owner_level, c.owner_area, c.accepted = OwnerLevel.GRID, grid.id, t
            self._start_clock(c, t)
            self._event(c, t, grid.worker, "report", CaseStatus.ACCEPTED, data=self.report_json[c.channel])
            if rng.random() < 0.65:
                self._in_grid(c, grid, town)
                return
            t = clock.add_hours(t, rng.expovariate(1 / 3))
            self._event(c, t, grid.worker, "escalate", CaseStatus.REPORTED, rng.choice(ESCALATE_REASONS), self._data("escalate", grid.code, town.code))  # fmt: skip
            c.owner_level, c.owner_area = OwnerLevel.TOWN, town.id
            c.accept_by = clock.add_hours(t, settings.GRIDGOV["ACCEPT_WITHIN_HOURS"])
            self._watch(c, t, reset=True)
        else:
            c.owner_level, c.owner_area = OwnerLevel.TOWN, town.id
            c.accept_by = clock.add_hours(t, settings.GRIDGOV["ACCEPT_WITHIN_HOURS"])
            actor = town.dispatcher if c.channel in (Channel.HOTLINE, Channel.STAFF, Channel.IMPORT) else None
            self._event(c, t, actor, "report", CaseStatus.REPORTED, data=self.report_json[c.channel])
        self._center(c, town, grid, first_category)

    def _center(self, c: _Case, town: Town, grid: Grid, first_category: Category) -> None:
        """At the town center: reject, merge, accept; then escalate, solve in the grid or dispatch."""
        rng = self.rng
        clock = self.clock
        late = rng.random() < 0.06
        t = clock.add_hours(c.t, rng.uniform(1.5, 8) if late else rng.expovariate(1 / 0.5))
        roll = rng.random()
        if roll < 0.025:
            self._event(c, t, c.actor_center, "reject", CaseStatus.REJECTED, rng.choice(REJECT_REASONS))
            c.closed = t
            return
        if roll < 0.045:
            master = self._master(c, t)
            if master is not None:
                master_id, master_number = master
                self._event(c, t, c.actor_center, "merge", CaseStatus.MERGED, data=json.dumps({"master": master_number}))  # fmt: skip
                c.events.append((next(self.event_ids), master_id, t, c.actor_center, "duplicate_merged", "", "", "", json.dumps({"duplicate": c.number, "channel": c.channel}), True))  # fmt: skip
                c.merged_into, c.closed = master_id, t
                return
        self._accept(c, t, first_category)
        roll = rng.random()
        if roll < 0.03:
            # Beyond the town: escalated to the district center, accepted there and dispatched to a bureau.
            t = clock.add_hours(c.t, rng.expovariate(1 / 2))
            self._event(c, t, c.actor_center, "escalate", CaseStatus.REPORTED, rng.choice(ESCALATE_REASONS), self._data("escalate", town.code, self.region.district_code))  # fmt: skip
            c.owner_level, c.owner_area = OwnerLevel.DISTRICT, self.region.district_id
            c.accept_by = clock.add_hours(t, settings.GRIDGOV["ACCEPT_WITHIN_HOURS"])
            self._watch(c, t, reset=True)
            c.actor_center = self.region.district_dispatcher
            self._accept(c, clock.add_hours(t, rng.expovariate(1 / 1.5)), c.category)
            lead_id, lead_code = self.region.district_routes[c.category.code]
            self._departments(c, (lead_id, lead_code), [])
            return
        if roll < 0.15:
            self._in_grid(c, grid, town)
            return
        lead_id, lead_code, helpers = town.routes[c.category.code]
        if rng.random() < 0.08:
            extra = self.region.departments[rng.randrange(len(self.region.departments))]
            if extra[0] != lead_id and extra not in helpers:
                helpers = [*helpers, extra]
        self._departments(c, (lead_id, lead_code), helpers)

    def _accept(self, c: _Case, t: int, first_category: Category) -> None:
        category = c.category
        self._event(
            c, t, c.actor_center, "accept", CaseStatus.ACCEPTED, data=self._data("accept", category.code)
        )
        if first_category.pk != category.pk:
            self._event(c, t, c.actor_center, "categorise", data=self._data("categorise", first_category.code, category.code), public=False)  # fmt: skip
        c.accepted = t
        self._start_clock(c, t)
        self._watch(c, t, reset=True)

    def _master(self, c: _Case, t: int) -> tuple[int, str] | None:
        """An earlier case of the same grid still open at ``t`` (the same category if there is one)."""
        best = None
        for case_id, number, category_id, reported, done in reversed(self.recent[c.grid.id]):
            if done > t and t - reported < 30 * 86400:
                if category_id == c.category.pk:
                    return case_id, number
                best = best or (case_id, number)
        return best

    def _in_grid(self, c: _Case, grid: Grid, town: Town) -> None:
        """格内化解: the grid worker solves it; the grid chief checks; the center closes or visits."""
        rng = self.rng
        clock = self.clock
        for attempt in range(2):
            t = clock.add_days(
                c.t, rng.lognormvariate(math.log(0.4), 0.8) if attempt == 0 else rng.uniform(0.3, 2)
            )
            result = rng.choice(RESOLUTIONS)
            self._event(c, t, grid.worker, "resolve_in_grid", CaseStatus.RESOLVED, result)
            c.owner_level, c.owner_area = OwnerLevel.GRID, grid.id
            c.resolved, c.resolution = t, result
            if c.accepted is None:
                c.accepted = t
            t = clock.add_hours(t, rng.expovariate(1 / 3))
            if attempt == 0 and rng.random() < 0.03:
                self._event(c, t, grid.chief, "redo_in_grid", CaseStatus.REOPENED, rng.choice(REDO_NOTES))
                c.resolved = None
                self._watch(c, t, reset=False)
                continue
            self._event(c, t, grid.chief, "verify_ok", CaseStatus.VERIFIED)
            break
        self._rate(c, grid, town, dispatched=None)

    def _departments(self, c: _Case, lead: tuple[int, str], helpers: list[tuple[int, str]]) -> None:
        """派遣 → 签收 → 办结 → 核查, with returns (退回) and rework (返工) where they happen."""
        rng = self.rng
        clock = self.clock
        region = self.region
        helper_codes = tuple(code for _id, code in helpers)
        if rng.random() < 0.04:
            # Dispatched to the wrong department first, which returns it (退回); then to the right one.
            wrong = region.departments[rng.randrange(len(region.departments))]
            if wrong[0] != lead[0]:
                t = clock.add_hours(c.t, rng.expovariate(1 / 0.7))
                self._event(c, t, c.actor_center, "dispatch", CaseStatus.DISPATCHED, data=self._data("dispatch", wrong[1], ()))  # fmt: skip
                self._assign(c, t, c.actor_center, wrong, [])
                c.dispatched = t
                t = clock.add_hours(t, rng.expovariate(1 / 3))
                self._event(c, t, region.handler[wrong[0]], "return", CaseStatus.ACCEPTED, rng.choice(RETURN_REASONS), self._data("return", wrong[1]))  # fmt: skip
                for item in c.assignments:
                    if item[4] == AssignmentStatus.PENDING:
                        item[4], item[9], item[12] = AssignmentStatus.RETURNED, t, t
                        item[10] = RETURN_REASONS[0]
        t = clock.add_hours(c.t, rng.expovariate(1 / 0.7))
        self._event(c, t, c.actor_center, "dispatch", CaseStatus.DISPATCHED, data=self._data("dispatch", lead[1], helper_codes))  # fmt: skip
        self._assign(c, t, c.actor_center, lead, helpers)
        c.dispatched = t
        self._handle(c, lead, helpers)

    def _handle(self, c: _Case, lead: tuple[int, str], helpers: list[tuple[int, str]]) -> None:
        rng = self.rng
        clock = self.clock
        region = self.region
        dispatched = c.t
        mine = [item for item in c.assignments if item[4] == AssignmentStatus.PENDING]
        handler = region.handler[lead[0]]
        late = rng.random() < 0.07
        t = clock.add_days(dispatched, rng.uniform(1, 3) if late else rng.expovariate(1 / 0.25))
        for item in mine[1:]:  # helpers sign about when the lead does; one after ``now`` has not signed yet
            at = min(clock.add_days(dispatched, rng.expovariate(1 / 0.4)), t + 1800)
            if at <= self.now:
                c.events.append((next(self.event_ids), c.id, at, region.handler[item[2]], "sign_helper", "", "", "", self._data("sign_helper", self.department_code[item[2]], AssignmentRole.HELPER), False))  # fmt: skip
                item[4], item[7], item[8], item[12] = AssignmentStatus.SIGNED, at, region.handler[item[2]], at
        self._event(c, t, handler, "sign", CaseStatus.IN_PROGRESS, data=self._data("sign", lead[1], AssignmentRole.LEAD))  # fmt: skip
        lead_row = mine[0]
        lead_row[4], lead_row[7], lead_row[8], lead_row[12] = AssignmentStatus.SIGNED, t, handler, t
        # Handling time: most within the category's time limit, some late, a few stuck for months.
        share = rng.lognormvariate(math.log(0.45), 0.55)
        if rng.random() < 0.005:
            share *= rng.uniform(3, 60)
        for attempt in range(2):
            assert c.clock_start is not None  # noqa: S101
            target = (
                clock.add_days(c.clock_start, min(max(share, 0.05) * c.budget, 400)) if attempt == 0 else 0
            )
            t = max(target, clock.add_hours(c.t, rng.uniform(0.2, 2) if attempt == 0 else rng.uniform(2, 16)))
            assert c.resolve_by is not None  # noqa: S101 - the clock runs since acceptance
            if t > c.resolve_by and rng.random() < 0.4:
                # Overdue: the center reminds the department (催办) once, some time after the deadline.
                urge_at = c.resolve_by + int((t - c.resolve_by) * rng.random())
                if c.t < urge_at <= self.now:
                    c.events.append((next(self.event_ids), c.id, urge_at, c.actor_center, "urge", "", "", rng.choice(URGE_NOTES), "{}", False))  # fmt: skip
            self._event(c, t, handler, "resolve", CaseStatus.RESOLVED, RESOLUTIONS[attempt], self._data("resolve", lead[1]))  # fmt: skip
            c.resolved, c.resolution = t, RESOLUTIONS[attempt]
            lead_row[4], lead_row[9], lead_row[12] = AssignmentStatus.RESOLVED, t, t
            t = clock.add_hours(t, rng.expovariate(1 / 3))
            if attempt == 0 and rng.random() < 0.045:
                self._event(
                    c, t, c.actor_center, "verify_redo", CaseStatus.IN_PROGRESS, rng.choice(REDO_NOTES)
                )
                lead_row[4], lead_row[9], lead_row[12] = AssignmentStatus.SIGNED, None, t
                c.resolved = None
                self._watch(c, t, reset=False)
                continue
            self._event(c, t, c.actor_center, "verify_ok", CaseStatus.VERIFIED)
            break
        self._rate(c, c.grid, region.towns[c.grid.town], dispatched=(lead, helpers))

    def _rate(
        self,
        c: _Case,
        grid: Grid,
        town: Town,
        dispatched: tuple[tuple[int, str], list[tuple[int, str]]] | None,
    ) -> None:
        """回访/评价 or 结案; a dissatisfied rating reopens (重办) the case for another round."""
        rng = self.rng
        t = self.clock.add_days(c.t, rng.expovariate(1 / 0.6))
        staff_report = c.channel in (Channel.GRID_WORKER, Channel.STAFF, Channel.IMPORT)
        if (staff_report and rng.random() < 0.7) or rng.random() < 0.1:
            self._event(c, t, c.actor_center, "close", CaseStatus.CLOSED)
            c.closed = t
            return
        roll = rng.random()
        by_visit = c.channel == Channel.HOTLINE or rng.random() < 0.5
        actor = c.actor_center if by_visit else None
        if roll < (0.04 if c.reopen_count == 0 else 0.01) and c.reopen_count < 2:
            self._event(c, t, actor, "rate_dissatisfied", CaseStatus.REOPENED, data=self._data("rate_dissatisfied", Satisfaction.DISSATISFIED, by_visit))  # fmt: skip
            c.satisfaction = Satisfaction.DISSATISFIED
            c.reopen_count += 1
            c.resolved = None
            self._start_clock(c, t)
            self._watch(c, t, reset=False)
            if dispatched is None:
                self._in_grid(c, grid, town)
            else:
                lead, helpers = dispatched
                t = self.clock.add_hours(c.t, rng.expovariate(1 / 2))
                self._event(c, t, c.actor_center, "dispatch", CaseStatus.DISPATCHED, data=self._data("dispatch", lead[1], tuple(code for _i, code in helpers)))  # fmt: skip
                self._assign(c, t, c.actor_center, lead, helpers)
                c.dispatched = t
                self._handle(c, lead, helpers)
            return
        satisfaction = Satisfaction.SATISFIED if roll < 0.9 else Satisfaction.BASICALLY
        self._event(c, t, actor, "rate_satisfied", CaseStatus.CLOSED, data=self._data("rate_satisfied", satisfaction, by_visit))  # fmt: skip
        c.satisfaction = satisfaction
        c.closed = t


def _tick(moment: int) -> int:
    """The first sweep at or after ``moment``."""
    return -(-moment // SWEEP_SECONDS) * SWEEP_SECONDS


def _corpus_by_category(codes: Iterable[str]) -> dict[str, dict[str, list[tuple[str, str | None, bool]]]]:
    """The handwritten corpus texts by category and voice (grid worker, hotline operator, resident)."""
    texts: dict[str, dict[str, list[tuple[str, str | None, bool]]]] = {
        code: defaultdict(list) for code in codes
    }
    for path in corpus_files():
        for _number, row in read_jsonl(path):
            code = str(row["category"])
            if code in texts:
                item = (str(row["text"]), row.get("request_type"), bool(row.get("urgent")))
                texts[code][str(row.get("voice") or "resident")].append(item)
    for code, voices in texts.items():
        every = [item for items in list(voices.values()) for item in items] or [
            (f"{code} 问题反映", None, False)
        ]
        for voice in ("resident", "grid_worker", "hotline"):
            if not voices[voice]:
                voices[voice] = every
    return texts


# --- Loading ----------------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    totals: Totals
    region: Region
    seconds: dict[str, float]


class _Writer:
    """Streams rows into the three big tables, one transaction per chunk."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.tables = {
            "case": (Case._meta.db_table, *model_columns(Case, CASE_COLUMNS)),
            "event": (CaseEvent._meta.db_table, *model_columns(CaseEvent, EVENT_COLUMNS)),
            "assignment": (Assignment._meta.db_table, *model_columns(Assignment, ASSIGNMENT_COLUMNS)),
        }

    def write(self, kind: str, rows: Sequence[Sequence[Any]]) -> None:
        table, columns, extra = self.tables[kind]
        if not rows:
            return
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        if self.vendor == "postgresql":
            raw = connection.connection
            assert raw is not None  # noqa: S101 - ensure_connection ran
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                if extra:
                    for row in rows:
                        copy.write_row((*row, *extra))
                else:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - model table and columns
                    [(*row, *extra) for row in rows] if extra else rows,
                )


def _detach(tables: list[str]) -> list[str]:
    """Drop the secondary indexes (and on PostgreSQL the foreign keys) of ``tables``; return the statements
    that put them back. Building an index once after the load is many times faster than keeping it during."""
    restore_indexes: list[str] = []
    restore_keys: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])",
                [tables],
            )
            for table, name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                restore_keys.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(
                "SELECT x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "WHERE x.indrelid = ANY(%s::regclass[]) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [tables],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                restore_indexes.append(definition)
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
                restore_keys.append(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",  # noqa: S608
                tables,
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                restore_indexes.append(definition)
    return restore_indexes + restore_keys


def load(
    *,
    cases: int,
    seed: int,
    now: datetime,
    towns: int,
    villages: int,
    grids: int,
    chunk: int = 20_000,
    progress: Callable[[str], None] = print,
) -> LoadResult:
    """Fill the (freshly migrated, empty) database; returns what was written and how long each step took."""
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
    with transaction.atomic():
        region = build_region(rng, towns=towns, villages=villages, grids=grids, categories=categories)
    seconds["region"] = time.perf_counter() - started

    now_ts = int(now.timestamp())
    generator = Generator(
        rng, region, categories, now_ts, TimeText("+00" if connection.vendor == "postgresql" else "")
    )
    times = generator.report_times(cases)
    connection.ensure_connection()
    writer = _Writer()
    tables = [Case._meta.db_table, CaseEvent._meta.db_table, Assignment._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    restore = _detach(tables)

    started = time.perf_counter()
    cpu = time.process_time()
    generating = writing = 0.0
    ts = generator.ts
    verbs = generator.totals.verbs
    for first in range(0, cases, chunk):
        mark = time.perf_counter()
        case_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        assignment_rows: list[tuple[Any, ...]] = []
        for offset, reported in enumerate(times[first : first + chunk]):
            row, events, assignments = generator.case(first + offset + 1, reported)
            case_rows.append(row)
            for event in events:
                event_rows.append((*event[:2], ts(event[2]), *event[3:]))
                verbs[event[4]] += 1
            for item in assignments:
                assignment_rows.append(
                    (
                        *item[:6],
                        ts(item[6]),
                        ts(item[7]),
                        item[8],
                        ts(item[9]),
                        item[10],
                        ts(item[11]),
                        ts(item[12]),
                    )
                )
        generator.totals.events += len(event_rows)
        generator.totals.assignments += len(assignment_rows)
        mark2 = time.perf_counter()
        generating += mark2 - mark
        with transaction.atomic():
            writer.write("case", case_rows)
            writer.write("event", event_rows)
            writer.write("assignment", assignment_rows)
        writing += time.perf_counter() - mark2
        done = min(first + chunk, cases)
        if done % (chunk * 10) == 0 or done == cases:
            rate = done / (time.perf_counter() - started)
            progress(
                f"  {done:,} cases, {generator.totals.events:,} events ({rate:,.0f} cases/s; "
                f"this process {time.process_time() - cpu:.0f} s CPU in {time.perf_counter() - started:.0f} s)"
            )
    seconds["rows (generate)"] = generating
    seconds["rows (write)"] = writing

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in restore:
            cursor.execute(statement)
    seconds["indexes and keys"] = time.perf_counter() - started

    started = time.perf_counter()
    counters = defaultdict(int)
    for (prefix, day), last in generator.counters.items():
        counters[(prefix, day)] = last
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(prefix=prefix, day=day, last=last) for (prefix, day), last in counters.items()],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                )
            # A freshly loaded table has no visibility map and no statistics; autovacuum would do both in the
            # middle of the timings, so it is done now (a steady-state database has both).
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("PRAGMA foreign_keys = ON")
            for table in tables:
                cursor.execute(f'PRAGMA foreign_key_check("{table}")')
                broken = cursor.fetchall()
                if broken:
                    raise RuntimeError(f"{table}: {len(broken)} rows break a foreign key, e.g. {broken[:3]}")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds["vacuum and analyze"] = time.perf_counter() - started
    return LoadResult(generator.totals, region, seconds)


def write_marker(*, cases: int, seed: int, now: datetime, totals: Totals, seconds: float) -> None:
    """The row that says the load finished (what ``--reuse`` checks), with what it was asked to build."""
    system = ensure_system_user()
    AuditEntry.objects.create(
        actor=system,
        verb=MARKER_VERB,
        target_type="bench",
        summary=f"{cases:,} cases, seed {seed}",
        data={
            "cases": cases,
            "seed": seed,
            "now": now.isoformat(),
            "events": totals.events,
            "assignments": totals.assignments,
            "seconds": round(seconds, 1),
        },
    )


def read_marker() -> dict[str, Any] | None:
    """What the last finished load was asked to build, if the database holds one (and still its cases)."""
    try:
        entry = AuditEntry.objects.filter(verb=MARKER_VERB).order_by("-id").first()
    except DatabaseError:  # a database that was never migrated has no table to look in
        return None
    if entry is None or Case.objects.count() != entry.data.get("cases"):
        return None
    return dict(entry.data)
