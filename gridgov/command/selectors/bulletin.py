"""The weekly or monthly bulletin (通报) of a command center's area: one plain ``Bulletin`` for (area, period).

A bulletin is what a 12345 hotline office sends round every Monday and on the 1st: how many cases came in and
how (channel, request type, the top categories, each compared with the period before, 环比), the headline
indicators of the area, a line per town (or per child area), the units that lag behind, and a handful of cases
worth a leader's attention. Excel, PDF and the HTML preview all render the same object, so the three never
disagree.

Every number is an SQL aggregate (``COUNT … GROUP BY``) or comes from ``indicators`` (``area_summary``,
``table``, ``cases_behind``); no Python loop runs over the cases. The cohort of the volumes is the one of the
indicators: cases reported in the period whose place lies in the area, merged duplicates left out, so the sum of
the channels is the "received" headline. The notable cases carry no personal data: number, title, place, status.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case as Choose
from django.db.models import Count, DateTimeField, Max, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.cases.choices import CaseStatus, Channel, Priority, RequestType
from gridgov.cases.models import Case, CaseEvent, Category
from gridgov.command.periods import Period
from gridgov.command.selectors.areas import level_below
from gridgov.command.selectors.indicators import Figures, Row, area_summary, cases_behind, table
from gridgov.core.bilingual import in_active_language
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

#: How many categories the bulletin lists, and how many units and cases each short list shows.
TOP_CATEGORIES = 10
WORST_UNITS = 5
NOTABLE_CASES = 5

#: The timeline verb of a leader's supervision order (督办).
SUPERVISE_VERB = "supervise"


# --- The parts of a bulletin ----------------------------------------------------------------------------------------


def relative_change(current: float | None, previous: float | None) -> float | None:
    """(current − previous) ÷ previous, or None when there is nothing to compare with (环比)."""
    if current is None or not previous:
        return None
    return (current - previous) / previous


def format_change(change: float | None) -> str:
    """+12.5% / -3.0% / "—" (an ASCII minus: the PDF font has no U+2212)."""
    if change is None:
        return "—"
    return f"{change * 100:+.1f}%"


def format_points(difference: float | None) -> str:
    """A difference of two rates in percentage points (+2.3 pts), "—" when one is missing."""
    if difference is None:
        return "—"
    return _("%(value)s pts") % {"value": f"{difference * 100:+.1f}"}


@dataclass
class Volume:
    """How many cases of one channel, request type or category, this period and the period before."""

    key: str
    label: str
    count: int
    previous: int
    share: float | None = None  # of the period's cases received

    @property
    def change(self) -> float | None:
        return relative_change(self.count, self.previous)

    @property
    def change_text(self) -> str:
        return format_change(self.change)


@dataclass
class DayCount:
    day: date
    count: int


@dataclass
class Headline:
    """One headline number of the area: a count, a rate (0…1) or a number of working days."""

    key: str
    label: str
    kind: str  # "count", "rate" or "days"
    value: float | None
    previous: float | None  # None when the number is not tied to a period (overdue now)

    @property
    def change(self) -> float | None:
        """Counts: relative change; rates and days: the difference (percentage points, days)."""
        if self.value is None or self.previous is None:
            return None
        if self.kind == "count":
            return relative_change(self.value, self.previous)
        return self.value - self.previous

    @property
    def value_text(self) -> str:
        if self.value is None:
            return "—"
        if self.kind == "rate":
            return f"{self.value * 100:.1f}%"
        if self.kind == "days":
            return f"{self.value:.1f}"
        return str(self.value)

    @property
    def change_text(self) -> str:
        change = self.change
        if self.kind == "count":
            return format_change(change)
        if self.kind == "rate":
            return format_points(change)
        return "—" if change is None else f"{change:+.1f}"


@dataclass
class Unit:
    """One line of a unit table (a child area or a department) with its indicator figures."""

    key: str
    label: str
    figures: Figures
    detail: str = ""


@dataclass
class Ranking:
    """The units that lag most on one measure (most overdue now, lowest on-time resolution rate)."""

    key: str
    title: str
    metric: str  # "overdue_now" or "on_time_rate"
    units: list[Unit]


@dataclass
class NotableCase:
    """A case worth a leader's attention, without personal data."""

    number: str
    title: str
    place: str
    status: str
    category: str
    reported_at: datetime
    note: str = ""  # why it is listed: "overdue 12 days", "reopened twice", "supervised on 11-20"


@dataclass
class NotableGroup:
    key: str
    title: str
    total: int  # how many such cases in all (the list shows a handful)
    cases: list[NotableCase]


@dataclass
class Bulletin:
    """Everything one bulletin says about ``area_name`` for ``period`` (compared with ``previous``)."""

    area_code: str
    area_name: str
    area_level: str
    period: Period
    previous: Period
    generated_at: datetime
    figures: Figures
    previous_figures: Figures
    headline: list[Headline]
    channels: list[Volume]
    request_types: list[Volume]
    categories: list[Volume]
    daily: list[DayCount]
    unit_title: str
    units: list[Unit]
    departments: list[Unit]
    rankings: list[Ranking]
    notable: list[NotableGroup]

    @property
    def title(self) -> str:
        if self.period.kind == "week":
            return _("Weekly bulletin of %(area)s") % {"area": self.area_name}
        if self.period.kind == "month":
            return _("Monthly bulletin of %(area)s") % {"area": self.area_name}
        return _("Bulletin of %(area)s") % {"area": self.area_name}

    @property
    def received(self) -> int:
        return self.figures.received


# --- Building it ------------------------------------------------------------------------------------------------------


def build_bulletin(area: Area, period: Period, *, now: datetime | None = None) -> Bulletin:
    """The bulletin of ``area`` for ``period``; "overdue now" is counted at ``now`` (default: the present)."""
    now = now or timezone.now()
    previous = period.previous()
    figures = area_summary(area, period, now=now)
    previous_figures = area_summary(area, previous, now=now)
    current_rows = cohort(area, period)
    current = breakdown(current_rows)
    before = breakdown(cohort(area, previous))
    below = level_below(area.level)
    units = [_unit(row) for row in table("child", area, period, now=now)] if below else []
    departments = [_unit(row) for row in table("department", area, period, now=now)]
    departments = [d for d in departments if d.figures.received or d.figures.overdue_now]
    departments.sort(key=lambda d: (-d.figures.received, d.label))
    return Bulletin(
        area_code=area.code,
        area_name=area.name,
        area_level=str(AreaLevel(area.level).label) if area.level in AreaLevel.values else area.level,
        period=period,
        previous=previous,
        generated_at=timezone.localtime(now).replace(microsecond=0),
        figures=figures,
        previous_figures=previous_figures,
        headline=headline(figures, previous_figures),
        channels=_volumes(current.channel, before.channel, _choice_labels(Channel), figures.received),
        request_types=_volumes(
            current.request_type, before.request_type, _choice_labels(RequestType), figures.received
        ),
        categories=_categories(current.category, before.category, figures.received),
        daily=daily_volumes(current_rows, period),
        unit_title=str(AreaLevel(below).label) if below else "",
        units=units,
        departments=departments,
        rankings=_rankings(units, departments),
        notable=_notable(area, period, now, figures, urgent=current.priority.get(Priority.URGENT, 0)),
    )


def cohort(area: Area, period: Period) -> QuerySet[Case]:
    """The cases the volumes count: reported in ``period`` inside ``area``, merged duplicates left out."""
    start, end = period.bounds()
    return Case.objects.filter(
        area_path__within=area.path, reported_at__gte=start, reported_at__lt=end
    ).exclude(status=CaseStatus.MERGED)


def headline(figures: Figures, previous: Figures) -> list[Headline]:
    """The six numbers a bulletin starts with."""
    return [
        Headline("received", _("Cases received"), "count", figures.received, previous.received),
        Headline("response_rate", _("Response rate"), "rate", figures.response_rate, previous.response_rate),
        Headline(
            "on_time_rate", _("On-time resolution rate"), "rate", figures.on_time_rate, previous.on_time_rate
        ),
        Headline(
            "satisfaction_rate",
            _("Satisfaction rate"),
            "rate",
            figures.satisfaction_rate,
            previous.satisfaction_rate,
        ),
        Headline(
            "average_days",
            _("Average handling time (working days)"),
            "days",
            figures.average_days,
            previous.average_days,
        ),
        Headline("overdue_now", _("Overdue now"), "count", figures.overdue_now, None),
    ]


def _choice_labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


@dataclass
class Breakdown:
    """A period's case counts per channel, request type, category and priority."""

    channel: dict[str, int]
    request_type: dict[str, int]
    category: dict[int | None, int]
    priority: dict[str, int]


def breakdown(rows: QuerySet[Case]) -> Breakdown:
    """One GROUP BY over the four columns (a few hundred groups at most, whatever the number of cases), summed
    per column: one scan of the period's cases instead of one per table."""
    result = Breakdown(defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int))
    columns = ("channel", "request_type", "category_id", "priority")
    for values in rows.order_by().values(*columns).annotate(n=Count("pk")):
        result.channel[values["channel"]] += values["n"]
        result.request_type[values["request_type"]] += values["n"]
        result.category[values["category_id"]] += values["n"]
        result.priority[values["priority"]] += values["n"]
    return result


def _volumes(
    current: dict[str, int], previous: dict[str, int], labels: dict[str, str], total: int
) -> list[Volume]:
    """Counts per value in both periods: every value seen in either, largest first (ties in the choices' order)."""
    order = {key: index for index, key in enumerate(labels)}
    keys = sorted(
        set(current) | set(previous), key=lambda k: (-current.get(k, 0), order.get(k, len(order)), k)
    )
    return [
        Volume(
            key=str(key),
            label=labels.get(key, str(key)),
            count=current.get(key, 0),
            previous=previous.get(key, 0),
            share=current.get(key, 0) / total if total else None,
        )
        for key in keys
    ]


def _categories(current: dict[int | None, int], previous: dict[int | None, int], total: int) -> list[Volume]:
    """The ``TOP_CATEGORIES`` categories with most cases this period, with last period's count; ties in the
    taxonomy's order, cases not yet categorised after the categories they tie with."""
    known = {c.pk: c for c in Category.objects.filter(pk__in=[key for key in current if key is not None])}

    def rank(key: int | None) -> tuple[int, int, int, str]:
        category = known.get(key) if key is not None else None
        if category is None:
            return (-current[key], 1, 0, "")
        return (-current[key], 0, category.sort_order, category.code)

    top = sorted((key for key in current if current[key]), key=rank)[:TOP_CATEGORIES]
    return [
        Volume(
            key=str(key or ""),
            label=known[key].display_name if key in known else _("Not yet categorised"),
            count=current[key],
            previous=previous.get(key, 0),
            share=current[key] / total if total else None,
        )
        for key in top
    ]


#: Up to this many days, the daily counts are one aggregate of per-day conditions (no per-row date function).
DAILY_FILTERS_UP_TO = 62


def daily_volumes(rows: QuerySet[Case], period: Period) -> list[DayCount]:
    """Cases per local day of ``period`` (days without a case included, as zero).

    Short periods count each day with a range condition on ``reported_at`` (the local day's bounds, computed here,
    so daylight-saving zones work too) in one aggregate; longer ones group by the local date in SQL.
    """
    days = [period.start + timedelta(days=offset) for offset in range(period.days)]
    if len(days) <= DAILY_FILTERS_UP_TO:
        zone = timezone.get_current_timezone()
        edges = [datetime.combine(day, time.min, tzinfo=zone) for day in [*days, period.end]]
        counts = rows.aggregate(
            **{
                f"day{index}": Count(
                    "pk", filter=Q(reported_at__gte=edges[index], reported_at__lt=edges[index + 1])
                )
                for index in range(len(days))
            }
        )
        return [DayCount(day, counts[f"day{index}"] or 0) for index, day in enumerate(days)]
    by_date = {
        values["day"]: values["n"]
        for values in rows.order_by()
        .annotate(day=TruncDate("reported_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
    }
    return [DayCount(day, by_date.get(day, 0)) for day in days]


def _unit(row: Row) -> Unit:
    return Unit(key=row.key, label=row.label, figures=row.figures, detail=row.detail)


def _rankings(areas: list[Unit], departments: list[Unit]) -> list[Ranking]:
    """The units most overdue now, and those with the lowest on-time resolution rate (among units with cases
    due), departments and child areas apart."""

    def most_overdue(units: list[Unit]) -> list[Unit]:
        lagging = [u for u in units if u.figures.overdue_now]
        return sorted(lagging, key=lambda u: (-u.figures.overdue_now, u.label))[:WORST_UNITS]

    def least_on_time(units: list[Unit]) -> list[Unit]:
        measured = [u for u in units if u.figures.due]
        return sorted(measured, key=lambda u: (u.figures.on_time_rate or 0.0, -u.figures.due, u.label))[
            :WORST_UNITS
        ]

    return [
        Ranking(
            "departments_overdue",
            _("Departments with most cases overdue now"),
            "overdue_now",
            most_overdue(departments),
        ),
        Ranking("areas_overdue", _("Areas with most cases overdue now"), "overdue_now", most_overdue(areas)),
        Ranking(
            "departments_on_time",
            _("Departments with the lowest on-time resolution rate"),
            "on_time_rate",
            least_on_time(departments),
        ),
        Ranking(
            "areas_on_time",
            _("Areas with the lowest on-time resolution rate"),
            "on_time_rate",
            least_on_time(areas),
        ),
    ]


# --- Notable cases ----------------------------------------------------------------------------------------------------

#: The only fields of a case a bulletin reads for its lists (no reporter, phone, address or text).
_CASE_FIELDS = (
    "number",
    "title",
    "area_path",
    "status",
    "category__name",
    "category__name_en",
    "reported_at",
)


def _notable(
    area: Area, period: Period, now: datetime, figures: Figures, *, urgent: int
) -> list[NotableGroup]:
    """A handful of cases of each kind; the totals come from the counts already made (``figures``: the same
    conditions as ``cases_behind``, so a total and its list agree)."""
    start, end = period.bounds()
    rows = cohort(area, period)

    urgent_list = list(
        rows.filter(priority=Priority.URGENT)
        .order_by("-reported_at", "-pk")
        .values(*_CASE_FIELDS)[:NOTABLE_CASES]
    )

    reworked = cases_behind("area", area.code, area, period, "reworked", now=now)
    reworked_list = list(
        reworked.order_by("-reopen_count", "-reported_at", "-pk").values(*_CASE_FIELDS, "reopen_count")[
            :NOTABLE_CASES
        ]
    )

    orders = CaseEvent.objects.filter(
        verb=SUPERVISE_VERB, at__gte=start, at__lt=end, case__area_path__within=area.path
    )
    supervised = Case.objects.filter(pk__in=orders.values("case_id"))
    last_order = orders.filter(case_id=OuterRef("pk")).order_by().values("case_id").annotate(last=Max("at"))
    supervised_list = list(
        supervised.annotate(supervised_at=Subquery(last_order.values("last")))
        .order_by("-supervised_at", "-pk")
        .values(*_CASE_FIELDS, "supervised_at")[:NOTABLE_CASES]
    )

    overdue = cases_behind("area", area.code, area, period, "overdue_now", now=now)
    deadline = Choose(
        When(status=CaseStatus.REPORTED, then="accept_by"),
        default="resolve_by",
        output_field=DateTimeField(),
    )
    overdue_list = list(
        overdue.annotate(missed=deadline)
        .order_by("missed", "pk")
        .values(*_CASE_FIELDS, "missed")[:NOTABLE_CASES]
    )

    places = _places(
        area,
        [
            c["area_path"]
            for group in (urgent_list, reworked_list, supervised_list, overdue_list)
            for c in group
        ],
    )

    def listed(values: dict[str, Any], note: str = "") -> NotableCase:
        return NotableCase(
            number=values["number"],
            title=values["title"],
            place=places.get(values["area_path"], ""),
            status=str(CaseStatus(values["status"]).label) if values["status"] in CaseStatus.values else "",
            category=in_active_language(values["category__name"], values["category__name_en"]),
            reported_at=timezone.localtime(values["reported_at"]),
            note=note,
        )

    def overdue_note(values: dict[str, Any]) -> str:
        days = max(0, (now - values["missed"]).days) if values["missed"] else 0
        return _("overdue %(days)d days") % {"days": days}

    def supervised_note(values: dict[str, Any]) -> str:
        moment = timezone.localtime(values["supervised_at"])
        return _("supervised on %(date)s") % {"date": moment.date().isoformat()}

    def reworked_note(values: dict[str, Any]) -> str:
        return (
            _("reopened %(count)d times") % {"count": values["reopen_count"]}
            if values["reopen_count"]
            else ""
        )

    return [
        NotableGroup("urgent", _("Urgent cases"), urgent, [listed(c) for c in urgent_list]),
        NotableGroup(
            "reworked",
            _("Cases reopened or redone"),
            figures.reworked,
            [listed(c, reworked_note(c)) for c in reworked_list],
        ),
        NotableGroup(
            "supervised",
            _("Cases under supervision"),
            supervised.count(),
            [listed(c, supervised_note(c)) for c in supervised_list],
        ),
        NotableGroup(
            "overdue",
            _("Longest overdue cases"),
            figures.overdue_now,
            [listed(c, overdue_note(c)) for c in overdue_list],
        ),
    ]


def _places(area: Area, paths: list[str]) -> dict[str, str]:
    """Each case place (an area path) as "child area / place" seen from ``area`` (e.g. 石港镇 / 北渡村第1网格)."""
    depth = len(area.ancestor_codes())

    def child_path(path: str) -> str | None:
        codes = [code for code in path.split("/") if code]
        return "/" + "/".join(codes[: depth + 1]) + "/" if len(codes) > depth + 1 else None

    wanted = set(paths) | {child for path in paths if (child := child_path(path))}
    names = dict(Area.objects.filter(path__in=wanted).values_list("path", "name"))
    result: dict[str, str] = {}
    for path in set(paths):
        own = names.get(path, "")
        child = child_path(path)
        result[path] = f"{names[child]} / {own}" if child and names.get(child) else own
    return result


__all__ = [
    "Bulletin",
    "DayCount",
    "Headline",
    "NotableCase",
    "NotableGroup",
    "Ranking",
    "Unit",
    "Volume",
    "build_bulletin",
    "cohort",
    "daily_volumes",
    "format_change",
    "format_points",
    "headline",
    "relative_change",
]
