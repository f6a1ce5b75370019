"""Reads of the topic views (专题): which topics an area has, the cases a topic selects, and its trend.

A topic (``command.models.Topic``) is turned into one condition on cases (``topic_q``), which the overview's
selectors take as their ``extra`` filter: the topic screens are the overview's map, numbers and feed for a subset,
plus a trend of reports and resolutions per day or week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from gridgov.cases.choices import CaseStatus, Priority
from gridgov.cases.models import Case
from gridgov.command.models import Topic
from gridgov.command.periods import Period
from gridgov.command.selectors.overview import area_cases, colour_conditions, open_cases
from gridgov.geo.models import Area

#: Periods up to this many days are shown per day, longer ones per week.
DAILY_MAX_DAYS = 62


def active_topics(area: Area | None = None) -> list[Topic]:
    """The active topics in their order; with ``area``, those that concern it (no areas of their own, or one
    that contains ``area`` or lies inside it)."""
    topics = list(
        Topic.objects.filter(is_active=True)
        .prefetch_related("categories", "areas")
        .order_by("sort_order", "code")
    )
    if area is None:
        return topics
    return [topic for topic in topics if _concerns(topic, area)]


def _concerns(topic: Topic, area: Area) -> bool:
    own = list(topic.areas.all())
    return not own or any(area.path.startswith(a.path) or a.path.startswith(area.path) for a in own)


def topic_by_code(code: str, area: Area | None = None) -> Topic | None:
    """The active topic ``code`` (concerning ``area``, when given), or None."""
    return next((topic for topic in active_topics(area) if topic.code == code), None)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def season_q(months: list[int], start: datetime, end: datetime, field: str = "reported_at") -> Q:
    """``field`` falls in one of ``months`` (1–12, local time) between ``start`` and ``end``: one range per run of
    consecutive season months, so the condition is plain comparisons (indexed, the same on every database)."""
    zone = timezone.get_current_timezone()
    wanted = set(months)
    condition = Q(pk__in=[])
    month = _month_start(timezone.localtime(start, zone).date())
    last = timezone.localtime(end, zone).date()
    run_start: date | None = None
    while month <= last:
        following = _next_month(month)
        if month.month in wanted:
            run_start = run_start or month
            if following.month not in wanted or following > last:
                condition |= Q(
                    **{
                        f"{field}__gte": datetime.combine(run_start, time.min, tzinfo=zone),
                        f"{field}__lt": datetime.combine(following, time.min, tzinfo=zone),
                    }
                )
                run_start = None
        month = following
    return condition


def topic_q(topic: Topic, *, start: datetime | None = None, end: datetime | None = None) -> Q:
    """The condition a case meets to belong to ``topic``: one of its categories, one of its keywords in the title
    or description, inside one of its areas, reported in its season; each part only when the topic sets it.

    The season is written as date ranges between ``start`` and ``end`` (default: the first case ever reported, and
    tomorrow), so give the period's bounds when the cases are limited to a period anyway.
    """
    condition = Q()
    category_ids = [category.pk for category in topic.categories.all()]
    if category_ids:
        condition &= Q(category_id__in=category_ids)
    keywords = [word for word in (topic.keywords or []) if isinstance(word, str) and word.strip()]
    if keywords:
        words = Q(pk__in=[])
        for word in keywords:
            words |= Q(title__icontains=word.strip()) | Q(text__icontains=word.strip())
        condition &= words
    own_areas = list(topic.areas.all())
    if own_areas:
        inside = Q(pk__in=[])
        for area in own_areas:
            inside |= Q(area_path__within=area.path)
        condition &= inside
    if topic.season_months:
        now = timezone.now()
        if start is None:
            first = Case.objects.aggregate(first=Min("reported_at"))["first"]
            start = first or now
        condition &= season_q(list(topic.season_months), start, end or now + timedelta(days=1))
    return condition


def topic_cases(topic: Topic, area: Area) -> QuerySet[Case]:
    """Every case of ``topic`` placed in ``area``."""
    return area_cases(area, topic_q(topic))


@dataclass
class TopicCard:
    """A topic in the list, with its open cases in the area."""

    topic: Topic
    open: int
    overdue: int
    urgent: int
    in_season: bool


def topic_cards(area: Area, topics: list[Topic], *, now: datetime | None = None) -> list[TopicCard]:
    """Each topic's open, overdue and urgent cases in ``area``: one aggregate query for all the topics."""
    now = now or timezone.now()
    red = colour_conditions(now)["red"]
    urgent = Q(priority=Priority.URGENT)
    aggregates: dict[str, Count] = {}
    for index, topic in enumerate(topics):
        condition = topic_q(topic)
        aggregates[f"open_{index}"] = Count("pk", filter=condition)
        aggregates[f"overdue_{index}"] = Count("pk", filter=condition & red)
        aggregates[f"urgent_{index}"] = Count("pk", filter=condition & urgent)
    values = open_cases(area).aggregate(**aggregates) if aggregates else {}
    month = timezone.localtime(now).month
    return [
        TopicCard(
            topic=topic,
            open=values[f"open_{index}"],
            overdue=values[f"overdue_{index}"],
            urgent=values[f"urgent_{index}"],
            in_season=topic.in_season(month),
        )
        for index, topic in enumerate(topics)
    ]


# --- Trend ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One bar of the trend: local dates ``[start, end)``."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return self.start.isoformat()


@dataclass
class Trend:
    """Cases reported and resolved per bucket (day or week) of a period."""

    step: str  # "day" or "week"
    buckets: list[Bucket]
    reported: list[int]
    resolved: list[int]

    @property
    def rows(self) -> list[tuple[Bucket, int, int]]:
        return list(zip(self.buckets, self.reported, self.resolved, strict=True))


def trend_buckets(period: Period) -> tuple[str, list[Bucket]]:
    """Days for periods up to ``DAILY_MAX_DAYS``, else ISO weeks (Monday first; the first and last may be cut)."""
    if period.days <= DAILY_MAX_DAYS:
        return "day", [
            Bucket(period.start + timedelta(days=i), period.start + timedelta(days=i + 1))
            for i in range(period.days)
        ]
    buckets = []
    start = period.start
    while start < period.end:
        monday = start - timedelta(days=start.weekday())
        end = min(monday + timedelta(days=7), period.end)
        buckets.append(Bucket(start, end))
        start = end
    return "week", buckets


def _bounds(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def trend(area: Area, period: Period, *, topic: Topic | None = None) -> Trend:
    """Cases reported (merged duplicates left out) and cases resolved in ``area`` per bucket of ``period``, for
    ``topic`` or all cases: two queries, each one row of conditional counts (one per bucket)."""
    step, buckets = trend_buckets(period)
    start, end = period.bounds()
    extra = topic_q(topic, start=start, end=end) if topic is not None else None
    cases = area_cases(area, extra)

    def per_bucket(field: str, rows: QuerySet[Case]) -> list[int]:
        counts = {
            f"b{index}": Count(
                "pk", filter=Q(**{f"{field}__gte": _bounds(b.start), f"{field}__lt": _bounds(b.end)})
            )
            for index, b in enumerate(buckets)
        }
        values = rows.filter(**{f"{field}__gte": start, f"{field}__lt": end}).aggregate(**counts)
        return [int(values[f"b{index}"] or 0) for index in range(len(buckets))]

    reported = per_bucket("reported_at", cases.exclude(status=CaseStatus.MERGED))
    # A topic's season limits when the case was reported; the resolutions of those cases are counted whenever.
    resolved_cases = area_cases(area, topic_q(topic) if topic is not None else None)
    resolved = per_bucket("resolved_at", resolved_cases)
    return Trend(step=step, buckets=buckets, reported=reported, resolved=resolved)
