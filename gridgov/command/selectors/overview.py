"""Reads of the overview screen (指挥中心"一张图"): the map layer, the headline numbers, the feed of new cases and the
counts per child area and per grid.

Every function takes the area of the command center and an optional extra condition on the cases (``extra``, a
``Q``: a topic's filter from ``selectors.topics.topic_q``), so the topic views show the same screen for a subset.
Every count is SQL (``COUNT … FILTER`` / ``GROUP BY`` over indexed filters); Python only folds grouped rows, whose
number is bounded by the number of areas or map cells, never by the number of cases.

Colours. An open case (any status but closed, rejected and merged, as everywhere in the platform) has one colour,
the first that applies:

* ``red``: overdue now — waiting for acceptance past its acceptance deadline, or being worked on past its
  resolution deadline, at the moment of the query (the accountability tables' "overdue now", the same condition);
* ``urgent``: priority urgent;
* ``yellow``: due soon — the deadline sweep's yellow, while the case is still waiting or being worked on;
* ``normal``: everything else (also a resolved case waiting for its check or rating, whatever colour it had).

A grid takes the worst colour among its cases. ``now`` is a parameter of everything that colours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from django.db import models
from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import AlertLevel, CaseStatus, Priority
from gridgov.cases.models import Case
from gridgov.cases.workflow import TERMINAL
from gridgov.command.periods import Period
from gridgov.command.selectors.indicators import AREA, RUNNING, Figures, area_summary, conditions
from gridgov.core.bilingual import in_active_language
from gridgov.core.lookups import plain
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

#: The statuses of an open (live) case: everything but the three terminal ones.
OPEN_STATUSES: tuple[str, ...] = tuple(status for status in CaseStatus.values if status not in TERMINAL)

#: Colours, worst first.
COLOURS: tuple[str, ...] = ("red", "urgent", "yellow", "normal")
COLOUR_LABELS: dict[str, Promise] = {
    "red": _("Overdue"),
    "urgent": _("Urgent"),
    "yellow": _("Due soon"),
    "normal": _("On time"),
}

#: Up to this many cases in view the map gets the cases themselves; above it, counts per grid or per cell.
POINT_CAP = 2000
#: From this zoom level up, many cases are counted per square cell of the map rather than per grid.
CELL_ZOOM = 16
#: The counts behind the two rates of the headline (on-time resolution, satisfaction).
RATE_COUNTS = ("due", "resolved_on_time", "rated", "satisfied")
#: How many cases one answer of the feed holds at most.
FEED_LIMIT = 30
#: How far below the last id seen, and how long back, a feed poll looks for cases whose transaction committed late.
LATE_COMMIT_IDS = 100
LATE_COMMIT_WINDOW = timedelta(minutes=2)


#: Statuses whose deadline runs (waiting for acceptance, or being worked on): only these can be red or yellow.
CLOCK_STATUSES: tuple[str, ...] = (CaseStatus.REPORTED, *RUNNING)


def overdue_condition(now: datetime) -> Q:
    """Overdue at ``now``: the indicators' own "overdue now" condition (so the numbers agree everywhere)."""
    return conditions(AREA, now)["overdue_now"]


def colour_conditions(now: datetime | None = None) -> dict[str, Q]:
    """Each colour's condition on an open case at ``now``; exactly one holds for every case."""
    red = overdue_condition(now or timezone.now())
    urgent = Q(priority=Priority.URGENT)
    yellow = Q(alert_level=AlertLevel.YELLOW, status__in=CLOCK_STATUSES)
    return {
        "red": red,
        "urgent": urgent & ~red,
        "yellow": yellow & ~urgent,
        "normal": ~red & ~urgent & ~yellow,
    }


def colour_expression(now: datetime | None = None) -> models.Case:
    """The colour of a case at ``now`` as an SQL expression (the conditions of ``colour_conditions``)."""
    by_colour = colour_conditions(now)
    return models.Case(
        *(models.When(by_colour[colour], then=models.Value(colour)) for colour in COLOURS[:-1]),
        default=models.Value("normal"),
        output_field=models.CharField(),
    )


def _colour_counts(now: datetime | None) -> dict[str, Count]:
    counts = {colour: Count("pk", filter=condition) for colour, condition in colour_conditions(now).items()}
    counts["urgent_all"] = Count("pk", filter=Q(priority=Priority.URGENT))
    return counts


@dataclass
class ColourCounts:
    """Open cases by colour; ``urgent_all`` counts every urgent case, also the overdue ones (shown red)."""

    red: int = 0
    urgent: int = 0
    yellow: int = 0
    normal: int = 0
    urgent_all: int = 0

    @classmethod
    def of(cls, values: dict[str, Any]) -> ColourCounts:
        return cls(**{name: int(values.get(name) or 0) for name in (*COLOURS, "urgent_all")})

    @property
    def total(self) -> int:
        return self.red + self.urgent + self.yellow + self.normal

    @property
    def overdue(self) -> int:
        return self.red

    @property
    def worst(self) -> str | None:
        """The worst colour present, or None without cases."""
        return next((colour for colour in COLOURS if getattr(self, colour)), None)

    def add(self, other: ColourCounts) -> None:
        for name in (*COLOURS, "urgent_all"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {colour: getattr(self, colour) for colour in COLOURS}


# --- The cases --------------------------------------------------------------------------------------------------


def area_cases(area: Area, extra: Q | None = None) -> QuerySet[Case]:
    """Every case placed in ``area`` (any status), narrowed by ``extra``."""
    cases = Case.objects.filter(area_path__within=area.path)
    return cases.filter(extra) if extra is not None else cases


def open_cases(area: Area, extra: Q | None = None) -> QuerySet[Case]:
    """The open cases placed in ``area``, narrowed by ``extra``: read through the status index (open cases are few;
    see ``indicators._open_area_filter`` for why not ``within``)."""
    cases = Case.objects.filter(status__in=OPEN_STATUSES, area_path__startswith=area.path)
    return cases.filter(extra) if extra is not None else cases


def open_case_list(area: Area, extra: Q | None = None, *, now: datetime | None = None) -> QuerySet[Case]:
    """The open cases of ``area`` for a table: overdue, urgent and due soon first, then by deadline."""
    by_colour = colour_conditions(now)
    rank = models.Case(
        *(models.When(by_colour[colour], then=models.Value(index)) for index, colour in enumerate(COLOURS)),
        default=models.Value(len(COLOURS)),
        output_field=models.IntegerField(),
    )
    return (
        open_cases(area, extra)
        .select_related("category", "grid")
        .annotate(colour=colour_expression(now), colour_rank=rank)
        .order_by("colour_rank", models.F("resolve_by").asc(nulls_last=True), "-reported_at", "-id")
    )


def case_url(number: str) -> str:
    return reverse("cases:detail", args=[number])


def _url_maker() -> Any:
    """``number → URL`` of the case page without one ``reverse`` per case."""
    marker = "CASE-NUMBER"
    template = reverse("cases:detail", args=[marker])
    head, tail = template.split(marker)
    return lambda number: f"{head}{quote(number)}{tail}"


# --- Headline numbers ---------------------------------------------------------------------------------------------


@dataclass
class Headline:
    """The numbers at the top of the screen: now (today, open, overdue, urgent) and for ``period`` (the rates)."""

    reported_today: int
    open: int
    overdue: int
    urgent: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    period: Period

    def as_dict(self) -> dict[str, Any]:
        return {
            "reported_today": self.reported_today,
            "open": self.open,
            "overdue": self.overdue,
            "urgent": self.urgent,
            "on_time_rate": self.on_time_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "period": self.period.query(),
        }


def today_bounds(now: datetime) -> tuple[datetime, datetime]:
    """``[today 00:00, tomorrow 00:00)`` in the current time zone (Asia/Shanghai)."""
    zone = timezone.get_current_timezone()
    today = timezone.localtime(now, zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    return start, datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)


def open_counts(area: Area, extra: Q | None = None, *, now: datetime | None = None) -> ColourCounts:
    """The open cases of ``area`` by colour at ``now`` (one aggregate query)."""
    return ColourCounts.of(open_cases(area, extra).aggregate(**_colour_counts(now)))


def reported_today(area: Area, *, now: datetime | None = None, extra: Q | None = None) -> int:
    """Cases reported in ``area`` since midnight, whatever became of them, merged duplicates left out (they count in
    their master case, as the indicators' "received" does); the ``area_path, reported_at`` index."""
    return _today(area, now, extra).count()


def _today(area: Area, now: datetime | None, extra: Q | None) -> QuerySet[Case]:
    start, end = today_bounds(now or timezone.now())
    return (
        area_cases(area, extra)
        .filter(reported_at__gte=start, reported_at__lt=end)
        .exclude(status=CaseStatus.MERGED)
    )


def headline(
    area: Area,
    *,
    now: datetime | None = None,
    extra: Q | None = None,
    period: Period | None = None,
) -> Headline:
    """Today's reports, open, overdue now and urgent open cases, and the on-time resolution and satisfaction rates
    of ``period`` (default: the current month). Without ``extra`` the rates are the command center's own
    (``indicators.area_summary``); with it, the same formulas over the cases ``extra`` selects."""
    return summary(area, now=now, extra=extra, period=period).headline


@dataclass
class Summary:
    """The headline numbers with what they are computed from: the open cases by colour and the period's figures
    (all the counts of ``indicators.area_summary`` without ``extra``; with it, only ``RATE_COUNTS``)."""

    headline: Headline
    colours: ColourCounts
    figures: Figures


def summary(
    area: Area,
    *,
    now: datetime | None = None,
    extra: Q | None = None,
    period: Period | None = None,
) -> Summary:
    """``headline`` and its parts, each read once (the API's summary shows all three)."""
    now = now or timezone.now()
    period = period or Period.containing("month", timezone.localtime(now).date())
    counts = open_counts(area, extra, now=now)
    figures = (
        area_summary(area, period, now=now) if extra is None else period_figures(area, period, extra, now=now)
    )
    numbers = Headline(
        reported_today=reported_today(area, now=now, extra=extra),
        open=counts.total,
        overdue=counts.red,
        urgent=counts.urgent_all,
        on_time_rate=figures.on_time_rate,
        satisfaction_rate=figures.satisfaction_rate,
        period=period,
    )
    return Summary(headline=numbers, colours=counts, figures=figures)


def period_figures(area: Area, period: Period, extra: Q, *, now: datetime | None = None) -> Figures:
    """The counts behind the on-time and satisfaction rates (``RATE_COUNTS``; the other counts stay 0) for the cases
    ``extra`` selects, as ``indicators.area_summary`` counts them: reported in the period, placed in the area,
    merged duplicates left out, each count with the indicators' own condition (so the rates agree)."""
    now = now or timezone.now()
    start, end = period.bounds()
    cohort = (
        area_cases(area, extra)
        .filter(reported_at__gte=start, reported_at__lt=end)
        .exclude(status=CaseStatus.MERGED)
    )
    conds = conditions(AREA, now)
    values = cohort.aggregate(**{key: Count("pk", filter=conds[key]) for key in RATE_COUNTS})
    return Figures(**{key: int(value or 0) for key, value in values.items()})


# --- Per area and per grid ----------------------------------------------------------------------------------------


def open_counts_by_path(
    area: Area, extra: Q | None = None, *, now: datetime | None = None
) -> dict[str, ColourCounts]:
    """Open cases by colour per ``area_path`` (one GROUP BY; a row per grid that has cases, at most)."""
    rows = open_cases(area, extra).order_by().values(path=plain("area_path")).annotate(**_colour_counts(now))
    return {row["path"]: ColourCounts.of(row) for row in rows}


def reported_today_by_path(
    area: Area, *, now: datetime | None = None, extra: Q | None = None
) -> dict[str, int]:
    rows = _today(area, now, extra).order_by().values("area_path").annotate(n=Count("pk"))
    return {row["area_path"]: row["n"] for row in rows}


def child_code(area: Area, path: str) -> str | None:
    """The code of the child of ``area`` that ``path`` lies in (None: ``path`` is ``area`` itself or outside)."""
    if not path.startswith(area.path) or path == area.path:
        return None
    return path[len(area.path) :].split("/", 1)[0] or None


@dataclass
class AreaRow:
    """One line of the drill-down table: a child area (or "elsewhere in the area": ``area`` None) and its counts."""

    area: Area | None
    counts: ColourCounts = field(default_factory=ColourCounts)
    reported_today: int = 0


def child_rows(area: Area, *, now: datetime | None = None, extra: Q | None = None) -> list[AreaRow]:
    """The child areas of ``area`` with their open cases by colour and today's reports, in code order; a last row
    (``area`` None) holds the cases placed in ``area`` but in none of its children, when there are any."""
    children = list(Area.objects.filter(parent=area, is_active=True).defer("boundary").order_by("code"))
    rows = {child.code: AreaRow(child) for child in children}
    rest = AreaRow(None)
    for path, counts in open_counts_by_path(area, extra, now=now).items():
        row = rows.get(child_code(area, path) or "", rest)
        row.counts.add(counts)
    for path, n in reported_today_by_path(area, now=now, extra=extra).items():
        row = rows.get(child_code(area, path) or "", rest)
        row.reported_today += n
    result = [rows[child.code] for child in children]
    if rest.counts.total or rest.reported_today:
        result.append(rest)
    return result


@dataclass
class GridCount:
    """A grid of the map with its open cases by colour and the child area of the screen's area it lies in."""

    code: str
    name: str
    child: str | None
    counts: ColourCounts

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "child": self.child,
            "total": self.counts.total,
            "urgent_all": self.counts.urgent_all,
            "counts": self.counts.as_dict(),
            "colour": self.counts.worst,
        }


def grid_counts(area: Area, extra: Q | None = None, *, now: datetime | None = None) -> list[GridCount]:
    """Every active grid in ``area`` (the area itself, if it is a grid) with its open cases by colour."""
    by_path = open_counts_by_path(area, extra, now=now)
    grids = (
        Area.objects.filter(level=AreaLevel.GRID, is_active=True, path__within=area.path)
        .order_by("path")
        .values_list("code", "name", "path")
    )
    return [
        GridCount(code, name, child_code(area, path), by_path.get(path, ColourCounts()))
        for code, name, path in grids
    ]


# --- The map layer ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BBox:
    """The visible part of the map (WGS-84 degrees)."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """``"west,south,east,north"``; ``ValueError`` when it is not four numbers that make a box."""
        parts = [float(part) for part in text.split(",")]
        if len(parts) != 4:
            raise ValueError("a bbox is west,south,east,north")
        west, south, east, north = parts
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError("the bbox is not a box on the globe")
        return cls(west, south, east, north)

    def q(self) -> Q:
        return Q(lat__gte=self.south, lat__lte=self.north, lon__gte=self.west, lon__lte=self.east)


def area_bbox(area: Area) -> BBox | None:
    """The bounding box of the area's boundary, when it has one."""
    box = (area.min_lon, area.min_lat, area.max_lon, area.max_lat)
    if any(value is None for value in box) or area.min_lon == area.max_lon or area.min_lat == area.max_lat:
        return None
    return BBox(*(float(value) for value in box))  # type: ignore[arg-type]


#: Above this many areas meeting the box, ``paths_meeting`` gives up (the area filter alone is as good).
PATHS_MEETING_MAX = 400


def paths_meeting(area: Area, bbox: BBox) -> list[str] | None:
    """The paths under ``area`` where a case with a point inside ``bbox`` can be placed: the grids whose bounding
    box meets ``bbox`` (a case's grid is the grid its point lies in), every area above the grid level (a case placed
    there has no grid) and any area without a box. An exact-match list lets the database use the ``area_path``
    indexes for a small box instead of reading every open case of a large area; None when the box meets so many
    areas that the list would not help."""
    meets = Q(
        min_lat__lte=bbox.north, max_lat__gte=bbox.south, min_lon__lte=bbox.east, max_lon__gte=bbox.west
    )
    paths = list(
        Area.objects.filter(path__within=area.path)
        .filter(~Q(level=AreaLevel.GRID) | Q(min_lat__isnull=True) | meets)
        .values_list("path", flat=True)[: PATHS_MEETING_MAX + 1]
    )
    return paths if len(paths) <= PATHS_MEETING_MAX else None


@dataclass
class MapLayer:
    """What the map draws for one view: the cases themselves (``points``) or counts (``groups``) per grid or cell."""

    mode: str  # "points", "grids" or "cells"
    total: int
    points: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "total": self.total, "points": self.points, "groups": self.groups}


class CellIndex(models.Func):
    """``floor((value + offset) / step)`` as an integer: the row or column of a map cell.

    ``offset`` makes the value positive (90 for latitudes, 180 for longitudes), so SQLite's ``CAST … AS INTEGER``
    (which truncates) gives the same cell as PostgreSQL's ``FLOOR`` without needing SQLite's math functions.
    """

    output_field = models.IntegerField()

    def __init__(self, expression: Any, offset: float, step: float) -> None:
        super().__init__(expression)
        # Constants written into the SQL (they are floats we computed): the same text in SELECT and GROUP BY.
        self.offset = float(offset)
        self.step = float(step)

    def _inner(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + {self.offset!r}) / {self.step!r}", list(params)

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        inner, params = self._inner(compiler, connection)
        return f"CAST(FLOOR({inner}) AS INTEGER)", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        inner, params = self._inner(compiler, connection)
        return f"CAST({inner} AS INTEGER)", params


def cell_size(zoom: int) -> float:
    """The side of a map cell in degrees: a quarter of a 256-pixel tile at ``zoom`` (64 pixels)."""
    return 90.0 / (2 ** max(0, min(zoom, 22)))


def map_layer(
    area: Area,
    *,
    bbox: BBox | None = None,
    zoom: int = 12,
    extra: Q | None = None,
    cap: int | None = None,
    now: datetime | None = None,
) -> MapLayer:
    """The open cases of ``area`` that have a location inside ``bbox``, for a map at ``zoom``.

    At most ``cap`` (default ``POINT_CAP``) of them: the cases (id, number, place, colour, category, link). More: counts by colour per
    grid (below ``CELL_ZOOM``) or per square cell of ``cell_size(zoom)`` degrees, placed at the mean position of
    the counted cases. Fetching ``cap + 1`` rows decides between the two without counting everything first.
    """
    cap = POINT_CAP if cap is None else cap
    cases = open_cases(area, extra).filter(lat__isnull=False, lon__isnull=False)
    if bbox is not None:
        cases = cases.filter(bbox.q())
        paths = paths_meeting(area, bbox)
        if paths is not None:
            cases = cases.filter(area_path__in=paths)
    rows = list(
        cases.order_by()
        .annotate(colour=colour_expression(now))
        .values_list(
            "id", "number", "lat", "lon", "colour", "priority", "category__name", "category__name_en"
        )[: cap + 1]
    )
    if len(rows) <= cap:
        url = _url_maker()
        points = [
            {
                "id": pk,
                "number": number,
                "lat": lat,
                "lon": lon,
                "colour": colour,
                "urgent": priority == Priority.URGENT,
                "category": in_active_language(name, name_en),
                "url": url(number),
            }
            for pk, number, lat, lon, colour, priority, name, name_en in sorted(rows, key=lambda r: -r[0])
        ]
        return MapLayer("points", len(points), points=points)
    if zoom < CELL_ZOOM:
        groups = _groups_by_grid(cases, now)
        mode = "grids"
    else:
        groups = _groups_by_cell(cases, zoom, now)
        mode = "cells"
    return MapLayer(mode, sum(group["total"] for group in groups), groups=groups)


def _group(key: str, name: str, code: str, values: dict[str, Any]) -> dict[str, Any]:
    counts = ColourCounts.of(values)
    return {
        "key": key,
        "code": code,
        "name": name,
        "lat": values["mean_lat"],
        "lon": values["mean_lon"],
        "total": counts.total,
        "urgent_all": counts.urgent_all,
        "counts": counts.as_dict(),
        "colour": counts.worst,
    }


def _groups_by_grid(cases: QuerySet[Case], now: datetime | None) -> list[dict[str, Any]]:
    rows = list(
        cases.order_by()
        .values(path=plain("area_path"))
        .annotate(**_colour_counts(now), mean_lat=Avg("lat"), mean_lon=Avg("lon"))
        .order_by("path")
    )
    for row in rows:
        row["area_path"] = row.pop("path")
    areas = {
        path: (code, name)
        for path, code, name in Area.objects.filter(path__in=[row["area_path"] for row in rows]).values_list(
            "path", "code", "name"
        )
    }
    groups = []
    for row in rows:
        code, name = areas.get(row["area_path"], ("", ""))
        groups.append(_group(code or row["area_path"], name, code, row))
    return groups


def _groups_by_cell(cases: QuerySet[Case], zoom: int, now: datetime | None) -> list[dict[str, Any]]:
    step = cell_size(zoom)
    rows = (
        cases.order_by()
        .annotate(cell_y=CellIndex("lat", 90, step), cell_x=CellIndex("lon", 180, step))
        .values("cell_y", "cell_x")
        .annotate(**_colour_counts(now), mean_lat=Avg("lat"), mean_lon=Avg("lon"))
        .order_by("cell_y", "cell_x")
    )
    return [_group(f"{row['cell_y']}:{row['cell_x']}", "", "", row) for row in rows]


# --- The feed -------------------------------------------------------------------------------------------------------


@dataclass
class FeedItem:
    """A case as the feed of new cases shows it."""

    id: int
    number: str
    title: str
    category: str
    place: str
    status: str
    status_label: str
    colour: str
    urgent: bool
    is_open: bool
    reported_at: datetime
    url: str

    def as_dict(self) -> dict[str, Any]:
        local = timezone.localtime(self.reported_at)
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "category": self.category,
            "place": self.place,
            "status": self.status,
            "status_label": self.status_label,
            "colour": self.colour,
            "urgent": self.urgent,
            "open": self.is_open,
            "reported_at": local.isoformat(),
            "reported_at_text": local.strftime("%m-%d %H:%M"),
            "url": self.url,
        }


def feed(
    area: Area,
    *,
    after: int | None = None,
    limit: int = FEED_LIMIT,
    extra: Q | None = None,
    now: datetime | None = None,
) -> list[FeedItem]:
    """The newest cases placed in ``area`` (any status), newest first, at most ``limit``: with ``after`` (the
    highest id the page has seen), those created after it, and also the recent ones just below it.

    Ids are taken when a case is inserted, not when its transaction commits: a report that took id 41 may become
    visible after 42 was shown. So a poll also returns the cases among the ``LATE_COMMIT_IDS`` ids below ``after``
    that were created in the last ``LATE_COMMIT_WINDOW`` (a few rows, read through the primary key); the page
    ignores the ids it has already shown."""
    cases = area_cases(area, extra)
    if after is not None:
        recent = (now or timezone.now()) - LATE_COMMIT_WINDOW
        cases = cases.filter(pk__gt=max(after - LATE_COMMIT_IDS, 0)).filter(
            Q(pk__gt=after) | Q(created_at__gte=recent)
        )
    # The ids first (an index and a sort of ids), then the few rows with their joins and colours.
    ids = list(cases.order_by("-pk").values_list("pk", flat=True)[:limit])
    rows = (
        Case.objects.filter(pk__in=ids)
        .annotate(colour=colour_expression(now))
        .order_by("-pk")
        .values_list(
            "pk",
            "number",
            "title",
            "category__name",
            "category__name_en",
            "grid__name",
            "address",
            "status",
            "colour",
            "priority",
            "reported_at",
        )
    )
    url = _url_maker()
    labels = dict(CaseStatus.choices)
    items = []
    for pk, number, title, name, name_en, grid_name, address, status, colour, priority, at in rows:
        is_open = status in OPEN_STATUSES
        items.append(
            FeedItem(
                id=pk,
                number=number,
                title=title,
                category=in_active_language(name, name_en),
                place=grid_name or address or "",
                status=status,
                status_label=str(labels.get(status, status)),
                colour=colour if is_open else "closed",
                urgent=priority == Priority.URGENT,
                is_open=is_open,
                reported_at=at,
                url=url(number),
            )
        )
    return items


def latest_case_id(items: Iterable[FeedItem], after: int | None = None) -> int:
    """The id to poll after next time: the newest id shown (or the one polled after, when nothing is new)."""
    return max([item.id for item in items] + [after or 0])
