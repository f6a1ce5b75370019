"""Analysis (分析研判) of the command center: the cases an analysis counts, the cell grid, and trends.

Every figure here is one or a few SQL aggregates over ``Case`` filtered on indexed columns (area path and report
time, or category and report time); Python only arranges the grouped rows. What is counted:

* the cases reported in the period (``reported_at`` in ``period.bounds()``, Asia/Shanghai) whose area path lies
  in the viewed area, optionally of one category and / or channel;
* not the merged duplicates (status ``merged``): a duplicate is one more report of a problem already counted.

Spatial analyses snap points to a square-ish cell grid in SQL (``CellGrid``): ``floor((lat + 90) / dlat)`` and
``floor((lon + 180) / dlon)`` folded into one integer, the same on SQLite and PostgreSQL. Hotspots cluster
those cells; recurrence looks at a cell and its eight neighbours (both in ``selectors.hotspots``).
docs/analysis.md explains the methods, parameters and limits.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, connections
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.cases.choices import CaseStatus, Channel
from gridgov.cases.models import Case, Category
from gridgov.command.periods import Period
from gridgov.command.selectors.areas import child_areas
from gridgov.geo.geometry import METRES_PER_DEGREE
from gridgov.geo.models import Area

# --- what an analysis counts ----------------------------------------------------------------------------------


def analysis_cases(
    area: Area, *, category: Category | None = None, channel: str | None = None
) -> QuerySet[Case]:
    """The cases of ``area`` (and everything under it) an analysis counts: every status but merged duplicates."""
    cases = Case.objects.filter(area_path__within=area.path).exclude(status=CaseStatus.MERGED)
    if category is not None:
        cases = cases.filter(category=category)
    if channel:
        cases = cases.filter(channel=channel)
    return cases


def in_period(cases: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """``cases`` reported in ``period`` (local days, half-open)."""
    start, end = period.bounds()
    return cases.filter(reported_at__gte=start, reported_at__lt=end)


def change_ratio(current: int, previous: int) -> float | None:
    """(current − previous) / previous; None when there is nothing to compare with."""
    if previous <= 0:
        return None
    return (current - previous) / previous


def signed_percent(ratio: float | None) -> str:
    """0.6667 → "+66.7%", -0.125 → "−12.5%", None → "—" (no previous figure)."""
    if ratio is None:
        return "—"
    value = round(ratio * 100, 1)
    if value > 0:
        return f"+{value:.1f}%"
    if value < 0:
        return f"−{abs(value):.1f}%"
    return "0.0%"


# --- cells: snapping points in SQL --------------------------------------------------------------------------------

#: Cell keys are ``row * KEY_BASE + column``: a column index stays below 10⁷ for cells of 20 m and more up to
#: latitude 60°, and the key stays well inside a signed 64-bit integer.
KEY_BASE = 10_000_000
#: The smallest cell side a grid accepts (keeps column indexes below KEY_BASE).
MIN_CELL_M = 20.0


class _FloorIndex(Func):
    """``floor(x)`` as an integer, for ``x >= 0`` (the callers add 90° / 180° first).

    PostgreSQL: ``CAST(FLOOR(x) AS BIGINT)`` (a bare cast would round). SQLite: ``CAST(x AS INTEGER)``, which
    truncates, i.e. floors a non-negative number, natively (``FLOOR`` may be a Python function there, slower)."""

    arity = 1
    template = "CAST(FLOOR(%(expressions)s) AS BIGINT)"
    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)", **extra)


@dataclass(frozen=True)
class CellGrid:
    """Square-ish cells of ``size_m`` metres: ``dlat`` degrees high and ``dlon`` degrees wide (``dlon`` widened by
    1 / cos(reference latitude), so a cell is about as wide as it is high around the area)."""

    size_m: float
    dlat: float
    dlon: float

    @classmethod
    def around(cls, size_m: float, lat_ref: float) -> CellGrid:
        size_m = max(float(size_m), MIN_CELL_M)
        dlat = size_m / METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat_ref)), 0.1)
        return cls(size_m=size_m, dlat=dlat, dlon=dlon)

    def key(self) -> ExpressionWrapper:
        """The SQL expression of a case's cell key (the case must have ``lat`` and ``lon``)."""
        row = _FloorIndex((F("lat") + Value(90.0)) / Value(self.dlat))
        column = _FloorIndex((F("lon") + Value(180.0)) / Value(self.dlon))
        return ExpressionWrapper(row * Value(KEY_BASE) + column, output_field=BigIntegerField())

    def key_of(self, lat: float, lon: float) -> int:
        """The key of a point, computed like the SQL does (for tests and callers holding a point)."""
        return math.floor((lat + 90.0) / self.dlat) * KEY_BASE + math.floor((lon + 180.0) / self.dlon)

    @staticmethod
    def split(key: int) -> tuple[int, int]:
        return key // KEY_BASE, key % KEY_BASE

    def centre(self, key: int) -> tuple[float, float]:
        row, column = self.split(key)
        return (row + 0.5) * self.dlat - 90.0, (column + 0.5) * self.dlon - 180.0

    def block(self, key: int) -> list[int]:
        """The cell and its eight neighbours."""
        row, column = self.split(key)
        return [(row + dr) * KEY_BASE + column + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)]


def reference_latitude(area: Area) -> float:
    """The latitude that sets a cell's width in degrees: the area's centre (rounded to a whole degree, so the
    cells of a district and of its towns coincide), else the configured map centre."""
    if area.centroid_lat is not None:
        lat = area.centroid_lat
    elif area.min_lat is not None and area.max_lat is not None:
        lat = (area.min_lat + area.max_lat) / 2
    else:
        lat = float(settings.GRIDGOV["MAP_CENTER_LAT"])
    return float(round(lat))


# --- trends -------------------------------------------------------------------------------------------------------

DIMENSIONS = {
    "category": gettext_lazy("Category"),
    "area": gettext_lazy("Area"),
    "channel": gettext_lazy("Channel"),
}
BUCKETS = {
    "day": gettext_lazy("Daily"),
    "week": gettext_lazy("Weekly"),
    "month": gettext_lazy("Monthly"),
}
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
#: SQLite date modifiers that take a local day to the start of its bucket (ISO weeks start on Monday).
_SQLITE_BUCKET = {"day": (), "week": ("weekday 0", "-6 days"), "month": ("start of month",)}


class _SqliteLocalBucket(Func):
    """``date(<UTC time>, '+480 minutes', …)``: the local day, week or month start of a stored time, computed by
    SQLite itself. Django's time-zone truncation on SQLite calls back into Python for every row (a year of a busy
    district took seconds); with one UTC offset over the whole period (Asia/Shanghai has had no daylight saving
    since 1991) plain date arithmetic gives the same buckets."""

    output_field = CharField()

    def __init__(self, expression: Any, offset_minutes: int, modifiers: tuple[str, ...]) -> None:
        super().__init__(expression)
        # Only integers and the fixed modifier words above go into the SQL text.
        self.arguments = ", ".join([f"'{offset_minutes:+d} minutes'", *(f"'{m}'" for m in modifiers)])

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, {self.arguments})", list(params)


def _fixed_offset_minutes(zone: Any, days: list[date]) -> int | None:
    """The zone's UTC offset in minutes if it is the same at the start of each of ``days``, else None."""
    offsets = {timezone.make_aware(datetime.combine(day, time.min), zone).utcoffset() for day in days}
    if len(offsets) != 1:
        return None
    offset = offsets.pop()
    return None if offset is None else int(offset.total_seconds()) // 60


def local_bucket(field: str, bucket: str, period: Period, starts: list[date]) -> Any:
    """An expression for the local start of the day / week / month of ``field``: SQL date arithmetic on SQLite
    when the zone keeps one offset over the period, else Django's truncation in the time zone."""
    zone = timezone.get_current_timezone()
    if connection.vendor == "sqlite":
        offset = _fixed_offset_minutes(zone, [*starts, period.end + timedelta(days=1)])
        if offset is not None:
            return _SqliteLocalBucket(F(field), offset, _SQLITE_BUCKET[bucket])
    return _TRUNC[bucket](field, tzinfo=zone)


#: The most buckets a trend shows; a finer bucket that would give more is replaced by the next coarser one.
MAX_BUCKETS = 100
#: The chart draws this many series (the largest); the rest are summed as "Other". Tables show every series.
CHART_SERIES = 10


@dataclass
class TrendSeries:
    """One line of a trend: the counts per bucket, the period's total, and the totals it is compared with."""

    key: str  # category code, area code or channel value; "" for "none" (no category, not in a sub-area)
    label: str
    counts: list[int]
    previous: int = 0
    last_year: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def change(self) -> float | None:
        """环比: against the previous period."""
        return change_ratio(self.total, self.previous)

    @property
    def year_change(self) -> float | None:
        """同比: against the same period last year."""
        return change_ratio(self.total, self.last_year)

    @property
    def change_text(self) -> str:
        return signed_percent(self.change)

    @property
    def year_change_text(self) -> str:
        return signed_percent(self.year_change)


@dataclass
class Trend:
    """Counts of cases by one dimension, bucketed over a period, with the comparison periods' totals."""

    dimension: str
    bucket: str
    period: Period
    previous_period: Period
    last_year_period: Period
    buckets: list[date]
    series: list[TrendSeries]
    total: TrendSeries
    requested_bucket: str | None = None

    @property
    def bucket_labels(self) -> list[str]:
        return [bucket_label(self.bucket, start) for start in self.buckets]

    @property
    def bucket_changed(self) -> bool:
        """The requested bucket gave too many buckets and a coarser one is shown."""
        return bool(self.requested_bucket) and self.requested_bucket != self.bucket

    def chart_series(self, limit: int = CHART_SERIES) -> list[TrendSeries]:
        """The ``limit`` largest series in the period (ties in table order) and, if more, "Other" with the rest."""
        ranked = sorted(self.series, key=lambda s: -s.total)
        shown, rest = ranked[:limit], ranked[limit:]
        if rest:
            other = TrendSeries(
                key="__other__",
                label=_("Other"),
                counts=[sum(s.counts[i] for s in rest) for i in range(len(self.buckets))],
                previous=sum(s.previous for s in rest),
                last_year=sum(s.last_year for s in rest),
            )
            shown.append(other)
        return shown

    def rows(self) -> list[tuple[str, list[int], int]]:
        """The bucket table: (bucket label, counts of the chart's series, total), one row per bucket."""
        chart = self.chart_series()
        return [
            (label, [s.counts[i] for s in chart], self.total.counts[i])
            for i, label in enumerate(self.bucket_labels)
        ]


def resolve_bucket(period: Period, requested: str | None = None) -> str:
    """The bucket a trend uses: the requested one unless it gives more than ``MAX_BUCKETS``, then the next
    coarser; without a request, days up to a month, weeks up to half a year, months beyond."""
    order = ["day", "week", "month"]
    if requested in order:
        for bucket in order[order.index(requested) :]:
            if len(bucket_starts(period, bucket)) <= MAX_BUCKETS or bucket == "month":
                return bucket
    if period.days <= 31:
        return "day"
    if period.days <= 186:
        return "week"
    return "month"


def bucket_starts(period: Period, bucket: str) -> list[date]:
    """The first day of every bucket that overlaps the period (a week starts on Monday, a month on the 1st;
    the first bucket may start before the period when the period does not start on a bucket boundary)."""
    if bucket == "day":
        first = period.start
    elif bucket == "week":
        first = period.start - timedelta(days=period.start.weekday())
    elif bucket == "month":
        first = period.start.replace(day=1)
    else:
        raise ValueError(f"unknown bucket {bucket!r}")
    starts = []
    current = first
    while current < period.end:
        starts.append(current)
        current = _next_bucket(current, bucket)
    return starts


def _next_bucket(start: date, bucket: str) -> date:
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def bucket_label(bucket: str, start: date) -> str:
    """``2026-03-09`` (day), ``2026-W11`` (ISO week), ``2026-03`` (month)."""
    if bucket == "week":
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return f"{start:%Y-%m}"
    return start.isoformat()


def trends(
    area: Area,
    period: Period,
    *,
    dimension: str = "category",
    bucket: str | None = None,
    category: Category | None = None,
    channel: str | None = None,
) -> Trend:
    """Cases of ``area`` in ``period`` counted by ``dimension`` (category, child area or channel) and by bucket
    (day / week / month, local time), with each series' total in the previous period (环比) and in the same
    period last year (同比). Three grouped queries: the period by bucket, and the two comparison periods."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    chosen = resolve_bucket(period, bucket)
    starts = bucket_starts(period, chosen)
    index = {start: i for i, start in enumerate(starts)}
    zone = timezone.get_current_timezone()
    cases = analysis_cases(area, category=category, channel=channel)
    key_expression, describe = _dimension(area, dimension)

    current: dict[Any, list[int]] = defaultdict(lambda: [0] * len(starts))
    grouped = (
        in_period(cases, period)
        .annotate(dim=key_expression, bucket=local_bucket("reported_at", chosen, period, starts))
        .order_by()
        .values_list("dim", "bucket")
        .annotate(n=Count("pk"))
    )
    for key, moment, count in grouped:
        current[key][index[_local_date(moment, zone)]] += count

    previous_period = period.previous()
    last_year_period = period.same_period_last_year()
    previous = _totals(in_period(cases, previous_period), key_expression)
    if (last_year_period.start, last_year_period.end) == (previous_period.start, previous_period.end):
        last_year = previous  # a year: the year before is both the previous period and last year
    else:
        last_year = _totals(in_period(cases, last_year_period), key_expression)

    series = [
        TrendSeries(
            key=code,
            label=label,
            counts=current.get(raw, [0] * len(starts)),
            previous=previous.get(raw, 0),
            last_year=last_year.get(raw, 0),
        )
        for raw, code, label in describe(set(current) | set(previous) | set(last_year))
    ]
    if dimension != "area":  # child areas keep their order; the others go largest first
        series.sort(key=lambda s: (-s.total, -s.previous, s.key))
    total = TrendSeries(
        key="__total__",
        label=_("Total"),
        counts=[sum(s.counts[i] for s in series) for i in range(len(starts))],
        previous=sum(previous.values()),
        last_year=sum(last_year.values()),
    )
    return Trend(
        dimension=dimension,
        bucket=chosen,
        period=period,
        previous_period=previous_period,
        last_year_period=last_year_period,
        buckets=starts,
        series=series,
        total=total,
        requested_bucket=bucket,
    )


def _local_date(moment: datetime | date | str, zone: Any) -> date:
    if isinstance(moment, str):  # SQLite's date(): already the local date
        return date.fromisoformat(moment)
    if isinstance(moment, datetime):
        if timezone.is_aware(moment):
            moment = moment.astimezone(zone)
        return moment.date()
    return moment


def _totals(cases: QuerySet[Case], key_expression: Any) -> dict[Any, int]:
    rows = cases.annotate(dim=key_expression).order_by().values_list("dim").annotate(n=Count("pk"))
    return {key: count for key, count in rows}


_Describe = Any  # Callable[[set[Any]], list[tuple[raw key, code, label]]]


def _dimension(area: Area, dimension: str) -> tuple[Any, _Describe]:
    """The SQL expression a dimension groups by, and how to name (and order) the keys it yields."""
    if dimension == "category":

        def categories(keys: set[Any]) -> list[tuple[Any, str, str]]:
            found = {c.pk: c for c in Category.objects.filter(pk__in=[k for k in keys if k is not None])}
            named = [(pk, found[pk].code, found[pk].display_name) for pk in keys if pk in found]
            if None in keys:
                named.append((None, "", str(_("No category"))))
            return named

        return F("category_id"), categories

    if dimension == "channel":
        labels = dict(Channel.choices)

        def channels(keys: set[Any]) -> list[tuple[Any, str, str]]:
            return [(key, key, str(labels.get(key, key))) for key in keys]

        return F("channel"), channels

    children = list(child_areas(area))
    if not children:  # a grid: one series, the grid itself
        return Value(area.code), lambda keys: [(area.code, area.code, area.name)]
    expression = SqlCase(
        *[When(area_path__within=child.path, then=Value(child.code)) for child in children],
        default=Value(""),
    )

    def areas(keys: set[Any]) -> list[tuple[Any, str, str]]:
        named = [(child.code, child.code, child.name) for child in children]
        if "" in keys:
            named.append(("", "", _("Directly in %(area)s") % {"area": area.name}))
        return named

    return expression, areas


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort and a comparison: faster than ``np.unique`` on large integer arrays)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if values.size else values


def fetch_floats(queryset: QuerySet[Any], names: list[str]) -> np.ndarray:
    """The rows of a ``values_list`` query as a float array, columns in the order of ``names`` (looked up in
    the cursor's description, so the SELECT's own order does not matter)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    table = np.array(rows, dtype=np.float64).reshape(-1, len(columns))
    return table[:, [columns.index(name) for name in names]]
