"""Plans of the demo cases: the scenarios (which status each ends in), and the planner that draws grid, problem,
voice, reporter and time for each from the seed; the simulated clock the actions read."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gridgov.cases.models import Category
from gridgov.core.calendar import add_working_days, is_workday, working_time_between
from gridgov.demo.cases.problems import (
    ANY,
    CATEGORY_WEIGHTS,
    CONSULT,
    HOTLINE,
    PATROL,
    PROBLEMS,
    RURAL,
    SEED,
    URBAN,
    WEB,
    Problem,
)
from gridgov.demo.cases.texts import (
    GIVEN_NAMES,
    PHONE_PREFIXES,
    RESIDENT_CASES,
    RESIDENT_NAME,
    RESIDENT_PHONE,
    STORY_TEXTS,
    SURNAMES,
)
from gridgov.dispatch.choices import DepartmentKind as K
from gridgov.geo.choices import AreaLevel
from gridgov.geo.index import get_grid_index
from gridgov.geo.models import Area

#: Scenario → (number of cases, youngest and oldest report age in days). Each scenario ends in one status.
SCENARIOS: dict[str, tuple[int, float, float]] = {
    "closed_rated": (86, 6, 88),
    "closed_in_grid": (36, 2, 88),
    "closed_rework": (7, 8, 85),
    "closed_reopened": (6, 12, 85),
    "closed_extension": (6, 15, 85),
    "closed_district": (5, 10, 85),
    "closed_returned": (5, 8, 85),
    "closed_suspended": (3, 30, 85),
    "verified": (12, 1.5, 9),
    "resolved": (14, 0.5, 6),
    "in_progress": (20, 0.3, 3),
    "in_progress_red": (9, 18, 50),
    "in_progress_yellow": (7, 0, 0),  # the clock start is chosen so that 80-93 % of the time is used
    "in_progress_rework": (3, 3, 12),
    "in_progress_extension": (4, 4, 14),
    "suspended": (5, 6, 40),
    "dispatched": (12, 0.1, 1.5),
    "dispatched_returned": (4, 0.5, 3),
    "accepted": (9, 0.05, 1.2),
    "accepted_grid": (9, 0.1, 3),
    "accepted_returned": (3, 0.5, 3),
    "reported": (12, 0.02, 0.3),
    "reported_district": (4, 0.3, 2.5),
    "reopened": (7, 2, 20),
    "rejected": (11, 1, 88),
}

#: How many of the generated cases get a duplicate report that the center merges into them (重复件).
DUPLICATES = 12

#: Scenarios whose case ends up with a department (they need the department's handler account).
_DISPATCHING = {name for name in SCENARIOS if not name.startswith(("reported", "rejected"))} - {
    "closed_in_grid",
    "accepted",
    "accepted_grid",
}
#: Scenarios that first go to a wrong department, which returns the case (退回).
_RETURNED = {"closed_returned", "dispatched_returned", "accepted_returned"}
#: Scenarios that go up to the district command center.
_DISTRICT = {"closed_district", "reported_district"}
#: Scenarios that may be reported by a grid worker (the others come from residents or the hotline).
_ANY_CHANNEL = {
    "closed_rated",
    "closed_rework",
    "closed_extension",
    "closed_returned",
    "closed_suspended",
    "verified",
    "in_progress",
    "in_progress_red",
    "in_progress_rework",
    "in_progress_extension",
    "suspended",
    "dispatched",
    "dispatched_returned",
    "accepted_returned",
}
#: Share of a scenario's cases that the grid worker solves in the grid (格内化解) instead of a department.
_GRID_VARIANT_SHARE = {"resolved": 0.4, "reopened": 0.5, "closed_in_grid": 1.0}

#: The department kind a dispatcher might wrongly send a category to (the department then returns it).
_CONFUSED_WITH: dict[str, list[str]] = {
    "road": [K.URBAN],
    "sanitation": [K.URBAN],
    "water": [K.AGRICULTURE, K.TRANSPORT],
    "dispute": [K.JUSTICE, K.LEGAL],
    "welfare": [K.COMPREHENSIVE],
    "urban": [K.TRANSPORT],
    "safety": [K.URBAN],
    "utilities": [K.TRANSPORT],
    "environment": [K.URBAN],
    "property": [K.URBAN],
    "agriculture": [K.WATER],
    "market": [K.URBAN],
    "health": [K.CIVIL_AFFAIRS],
    "legal": [K.COMPREHENSIVE],
    "public_security": [K.COMPREHENSIVE],
    "labor": [K.JUSTICE],
    "education": [K.CIVIL_AFFAIRS],
}


# --- Plans ------------------------------------------------------------------------------------------------------------


@dataclass
class _Report:
    """What one report says and who makes it."""

    channel: str
    text: str
    reporter_name: str = ""
    reporter_phone: str = ""
    by_resident: bool = False


@dataclass
class _Plan:
    """One generated case: where, what, who reports it, when, and which scenario its history follows."""

    index: int
    scenario: str
    in_grid: bool
    town: Area
    grid: Area
    problem: Problem
    category: Category
    place: str
    report: _Report
    with_category: bool
    report_at: datetime
    address: str
    lat: float | None = None
    lon: float | None = None
    pinned_start: datetime | None = None  # the accept time of a case meant to be due soon (yellow)
    duplicate: _Report | None = None


@dataclass
class DemoCases:
    """What ``load_demo_cases`` did: demo cases present after the run, and how many this run created."""

    total: int = 0
    created: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def _workday_on_or_before(day: date) -> date:
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def _is_rural(grid: Area) -> bool:
    village = grid.parent
    return village is not None and village.name.endswith("村")


def _places(grid: Area, setting: str) -> list[str]:
    """The names people use for a place in the grid that fit the problem (compounds, roads or 组)."""
    aliases = list(grid.aliases) or [grid.name]
    if setting == URBAN:
        return [alias for alias in aliases if not alias.endswith("段")]
    return aliases


class _Planner:
    """Draws the plans from the seed: which grid, problem, voice, reporter and time each case gets."""

    def __init__(self, reference: datetime) -> None:
        # What, where and who come from one stream, when from another: the texts (the idempotency marker) must not
        # depend on the reference moment, whose weekday changes how many draws the timing takes.
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not security
        self.time_rng = random.Random(f"{SEED}/time")  # noqa: S311
        self.reference = reference
        self.categories = {category.code: category for category in Category.objects.all()}
        grids = list(
            Area.objects.filter(level=AreaLevel.GRID, is_active=True)
            .select_related("parent__parent__parent")
            .order_by("path")
        )
        self.grids_by_town: dict[int, list[Area]] = {}
        self.towns: dict[int, Area] = {}
        for grid in grids:
            town = grid.parent.parent if grid.parent is not None else None
            if town is None or town.level != AreaLevel.TOWN:
                continue
            self.towns[town.pk] = town
            self.grids_by_town.setdefault(town.pk, []).append(grid)
        # Some grids are busier than others; 石港镇, where the platform started, reports the most.
        self.grid_weights = {
            town_pk: [0.2 + self.rng.random() ** 2 for _ in town_grids]
            for town_pk, town_grids in self.grids_by_town.items()
        }
        self.town_order = sorted(self.towns, key=lambda pk: self.towns[pk].path)
        self.town_weights = [3.0 if self.towns[pk].name == "石港镇" else 1.0 for pk in self.town_order]
        self.used_texts: set[str] = set(STORY_TEXTS)
        self.phones: set[str] = {RESIDENT_PHONE}

    # -- people --

    def _phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _reporter(self, channel: str) -> tuple[str, str]:
        if channel == PATROL:
            return "", ""
        surname = self.rng.choice(SURNAMES)
        if channel == HOTLINE and self.rng.random() < 0.6:
            name = surname + self.rng.choice(["先生", "女士"])
        else:
            name = surname + self.rng.choice(GIVEN_NAMES)
        return name, self._phone()

    # -- what and where --

    def _channel(self, scenario: str, in_grid: bool) -> str:
        if in_grid:
            return PATROL if self.rng.random() < 0.75 or scenario != "closed_in_grid" else WEB
        if scenario == "accepted_grid":
            return PATROL
        if scenario in _ANY_CHANNEL:
            return self.rng.choices([WEB, HOTLINE, PATROL], weights=[35, 33, 32])[0]
        return self.rng.choice([WEB, HOTLINE])

    def _draw(self, scenario: str, in_grid: bool, channel: str) -> tuple[Area, Area, Problem, str, str]:
        """A town, grid, problem, place and text fitting the channel; every text distinct."""
        for _attempt in range(500):
            town_pk = self.rng.choices(self.town_order, weights=self.town_weights)[0]
            grid = self.rng.choices(self.grids_by_town[town_pk], weights=self.grid_weights[town_pk])[0]
            rural = _is_rural(grid)
            candidates = [
                problem
                for problem in PROBLEMS
                if channel in problem.texts
                and problem.setting in (ANY, RURAL if rural else URBAN)
                and (problem.grid_result or not in_grid)
                and problem.category in self.categories
                and (not problem.urgent or scenario.startswith("closed"))
                and (problem.request_type != CONSULT or scenario not in _DISTRICT)
            ]
            if not candidates:
                continue
            weights = [CATEGORY_WEIGHTS.get(problem.category, 1.0) for problem in candidates]
            # A category's weight is shared by its problems that fit here.
            per_category: dict[str, int] = {}
            for problem in candidates:
                per_category[problem.category] = per_category.get(problem.category, 0) + 1
            weights = [w / per_category[p.category] for w, p in zip(weights, candidates, strict=True)]
            problem = self.rng.choices(candidates, weights=weights)[0]
            places = _places(grid, problem.setting)
            if not places:
                continue
            place = self.rng.choice(places)
            text = problem.texts[channel].format(p=place)
            if text in self.used_texts:
                continue
            self.used_texts.add(text)
            return self.towns[town_pk], grid, problem, place, text
        raise RuntimeError("no distinct demo case text left to draw")  # pragma: no cover

    def _coordinates(self, grid: Area) -> tuple[float | None, float | None]:
        """A point near the grid's centroid that lies in the grid (so the map shows it where it belongs)."""
        if grid.centroid_lat is None or grid.centroid_lon is None:
            return None, None
        for spread in (0.002, 0.001, 0.0):
            lat = round(grid.centroid_lat + self.rng.uniform(-spread, spread), 6)
            lon = round(grid.centroid_lon + self.rng.uniform(-spread, spread), 6)
            if get_grid_index().lookup(lat, lon) == grid.code:
                return lat, lon
        return None, None

    # -- when --

    def _report_time(self, channel: str, low: float, high: float) -> datetime:
        age = timedelta(days=self.time_rng.uniform(low, high))
        moment = self.reference - age
        if age < timedelta(days=1):
            # Recent reports keep their age, but few people call or click before seven in the morning.
            local = timezone.localtime(moment)
            morning = _aware(local.date(), time(7)) + timedelta(minutes=self.time_rng.uniform(0, 60))
            if local.hour < 7 and morning < self.reference - timedelta(minutes=10):
                return morning
            return moment
        # Older reports get a believable time of day: patrols in office hours, calls and web reports by day.
        if channel == PATROL:
            minutes = self.time_rng.uniform(8.5 * 60, 17 * 60)
        else:
            minutes = self.time_rng.triangular(7 * 60, 22.5 * 60, 10 * 60)
        local = timezone.localtime(moment)
        moment = _aware(local.date(), time(0)) + timedelta(minutes=minutes)
        while moment >= self.reference - timedelta(minutes=30):
            moment -= timedelta(days=1)
        return moment

    def _yellow_start(self, sla_days: int) -> datetime | None:
        """An accept time (in the day, 8:00-21:00) from which 80-93 % of the working time is used by now."""
        found: list[datetime] = []
        start = self.reference
        while True:
            start -= timedelta(hours=1)
            if not 8 <= timezone.localtime(start).hour < 21:
                continue
            end = add_working_days(start, sla_days).at
            if end <= self.reference:
                break
            allowed = working_time_between(start, end)
            if allowed > 0 and 0.8 <= working_time_between(start, self.reference) / allowed <= 0.93:
                found.append(start)
        return self.time_rng.choice(found) if found else None

    # -- the plans --

    def plans(self) -> list[_Plan]:
        scenarios = [name for name, (count, _low, _high) in SCENARIOS.items() for _ in range(count)]
        plans: list[_Plan] = []
        for index, scenario in enumerate(scenarios):
            _count, low, high = SCENARIOS[scenario]
            in_grid = self.rng.random() < _GRID_VARIANT_SHARE.get(scenario, 0.0)
            channel = self._channel(scenario, in_grid)
            town, grid, problem, place, text = self._draw(scenario, in_grid, channel)
            name, phone = self._reporter(channel)
            category = self.categories[problem.category]
            pinned = None
            if scenario == "in_progress_yellow":
                pinned = self._yellow_start(category.sla_working_days)
                if pinned is None:  # pragma: no cover - only with an empty calendar
                    scenario, low, high = "in_progress", 0.3, 3
            report_at = (
                pinned - timedelta(minutes=self.time_rng.uniform(5, 40))
                if pinned is not None
                else self._report_time(channel, low, high)
            )
            village = grid.parent
            lat, lon = self._coordinates(grid)
            address = (
                f"{town.name}{place}"
                if village is not None and place.startswith(village.name)
                else f"{town.name}{village.name if village else ''}{place}"
            )
            plans.append(
                _Plan(
                    index=index,
                    scenario=scenario,
                    in_grid=in_grid,
                    town=town,
                    grid=grid,
                    problem=problem,
                    category=category,
                    place=place,
                    report=_Report(channel, text, name, phone),
                    with_category=channel != WEB or self.rng.random() < 0.5,
                    report_at=report_at,
                    address=address,
                    lat=lat,
                    lon=lon,
                    pinned_start=pinned,
                )
            )
        self._add_duplicates(plans)
        self._add_resident(plans)
        plans.sort(key=lambda plan: plan.report_at)
        return plans

    def _add_duplicates(self, plans: list[_Plan]) -> None:
        """The same problem reported again in another voice, to be merged into the first report."""
        eligible = {"closed_rated", "closed_in_grid", "in_progress", "dispatched", "verified", "resolved"}
        candidates = [plan for plan in plans if plan.scenario in eligible]
        self.rng.shuffle(candidates)
        added = 0
        for plan in candidates:
            if added == DUPLICATES:
                break
            voices = [
                channel
                for channel in (WEB, HOTLINE)
                if channel in plan.problem.texts and channel != plan.report.channel
            ]
            if not voices:
                continue
            channel = self.rng.choice(voices)
            text = plan.problem.texts[channel].format(p=plan.place)
            if text in self.used_texts:
                continue
            self.used_texts.add(text)
            name, phone = self._reporter(channel)
            plan.duplicate = _Report(channel, text, name, phone)
            added += 1

    def _add_resident(self, plans: list[_Plan]) -> None:
        """A few web reports come from the demo resident's own account, so signing in as them shows cases."""
        candidates = [
            plan
            for plan in plans
            if plan.report.channel == WEB and plan.town.name == "石港镇" and plan.scenario != "rejected"
        ]
        for plan in self.rng.sample(candidates, min(RESIDENT_CASES, len(candidates))):
            plan.report.reporter_name, plan.report.reporter_phone = RESIDENT_NAME, RESIDENT_PHONE
            plan.report.by_resident = True


# --- Walking a case through its history -------------------------------------------------------------------------------


class _Clock:
    """The simulated "now" the actions see while one case's history is written (demo only, see the docstring)."""

    def __init__(self, start: datetime, limit: datetime) -> None:
        self.now = start
        self.limit = limit

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        """Move to ``moment``; a step that would pass the reference moment lands halfway there instead, so the
        tail of a history is compressed but stays in order and in the past."""
        self.now = moment if moment < self.limit else self.now + (self.limit - self.now) / 2


def _office(moment: datetime, rng: random.Random) -> datetime:
    """The moment, or the next working morning when it falls outside office hours (departments work by day)."""
    local = timezone.localtime(moment)
    if is_workday(local.date()) and time(8, 30) <= local.time() <= time(17, 0):
        return moment
    day = local.date() if local.time() < time(8, 30) else local.date() + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return _aware(day, time(8, 30)) + timedelta(minutes=rng.uniform(0, 150))
