"""Periods the command center reports on: a day, an ISO week, a month, a year or any range of days.

A period is a half-open range of local dates ``[start, end)`` in ``TIME_ZONE`` (Asia/Shanghai); ``bounds()`` gives
the aware datetimes that queries compare ``reported_at`` with. Pages take it from the query string
(``?period=month&date=2026-11-01`` or ``?start=2026-11-01&end=2026-11-15``), so every table and chart can be
linked to and reloaded with the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KINDS = {
    "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "year": gettext_lazy("Year"),
    "range": gettext_lazy("Custom range"),
}

#: The longest custom range a page accepts (two years and a bit).
MAX_RANGE_DAYS = 800


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in local dates; ``kind`` says how it was chosen (and how ``previous`` steps)."""

    kind: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    # --- construction -------------------------------------------------------------------------------------------

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The day, ISO week (Monday first), month or year that contains ``day``."""
        if kind == "day":
            return cls("day", day, day + timedelta(days=1))
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            return cls("week", monday, monday + timedelta(days=7))
        if kind == "month":
            first = day.replace(day=1)
            return cls("month", first, _add_months(first, 1))
        if kind == "year":
            return cls("year", date(day.year, 1, 1), date(day.year + 1, 1, 1))
        raise ValueError(f"{kind!r} is not a calendar period")

    @classmethod
    def last_days(cls, days: int, *, today: date | None = None) -> Period:
        """The ``days`` days up to and including today (a rolling window)."""
        today = today or timezone.localdate()
        return cls("range", today - timedelta(days=days - 1), today + timedelta(days=1))

    # --- arithmetic ---------------------------------------------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        """The period just before, of the same kind and length (for period-over-period change, 环比)."""
        if self.kind == "month":
            return Period("month", _add_months(self.start, -1), self.start)
        if self.kind == "year":
            return Period("year", date(self.start.year - 1, 1, 1), self.start)
        return Period(self.kind, self.start - timedelta(days=self.days), self.start)

    def next(self) -> Period:
        if self.kind == "month":
            return Period("month", self.end, _add_months(self.end, 1))
        if self.kind == "year":
            return Period("year", self.end, date(self.end.year + 1, 1, 1))
        return Period(self.kind, self.end, self.end + timedelta(days=self.days))

    def same_period_last_year(self) -> Period:
        """同比: the same dates one year earlier."""
        return Period(self.kind, _minus_year(self.start), _minus_year(self.end))

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes ``[start 00:00, end 00:00)`` in the current time zone."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )

    def contains(self, moment: datetime) -> bool:
        start, end = self.bounds()
        return start <= moment < end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    # --- presentation -------------------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _weekday = self.start.isocalendar()
            return _("%(year)d week %(week)d (%(start)s – %(end)s)") % {
                "year": year,
                "week": week,
                "start": self.start.isoformat(),
                "end": self.last_day.isoformat(),
            }
        if self.kind == "month":
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"

    def query(self) -> dict[str, str]:
        """The query-string parameters that select this period again (``parse_period`` reads them)."""
        if self.kind == "range":
            return {"period": "range", "start": self.start.isoformat(), "end": self.last_day.isoformat()}
        return {"period": self.kind, "date": self.start.isoformat()}

    @property
    def slug(self) -> str:
        """A short stable name for files: ``month-2026-11``, ``week-2026-W47``, ``2026-11-01_2026-11-15``."""
        if self.kind == "month":
            return f"month-{self.start:%Y-%m}"
        if self.kind == "week":
            year, week, _weekday = self.start.isocalendar()
            return f"week-{year}-W{week:02d}"
        if self.kind == "day":
            return f"day-{self.start.isoformat()}"
        if self.kind == "year":
            return f"year-{self.start.year}"
        return f"{self.start.isoformat()}_{self.last_day.isoformat()}"


def parse_period(params: Mapping[str, str], *, default: str = "month", today: date | None = None) -> Period:
    """The period a page asks for; ``ValidationError`` naming the parameter when it makes no sense.

    ``period`` is day / week / month / year (with ``date``: any day inside it, default today) or ``range`` (with
    ``start`` and ``end``, both included).
    """
    today = today or timezone.localdate()
    kind = (params.get("period") or default).strip()
    if kind not in KINDS:
        raise ValidationError({"period": _("Choose day, week, month, year or a custom range.")})
    if kind == "range":
        start = _parse_date(params, "start", None)
        last = _parse_date(params, "end", None)
        if start is None or last is None:
            raise ValidationError({"start": _("A custom range needs a start and an end date.")})
        if last < start:
            raise ValidationError({"end": _("The end date is before the start date.")})
        if (last - start).days >= MAX_RANGE_DAYS:
            raise ValidationError(
                {"end": _("A range may span at most %(days)d days.") % {"days": MAX_RANGE_DAYS}}
            )
        return Period("range", start, last + timedelta(days=1))
    day = _parse_date(params, "date", today) or today
    return Period.containing(kind, day)


def _parse_date(params: Mapping[str, str], name: str, default: date | None) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: _("'%(value)s' is not a date (YYYY-MM-DD).") % {"value": raw}}) from None


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` away from ``day`` (which is a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
