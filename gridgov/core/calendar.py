"""The working-day calendar: which days are Chinese working days, and deadlines counted on them.

Case SLAs are set in working days (工作日) and some stages in working hours, so every deadline depends on the
official holiday schedule (放假安排), including make-up workdays (调休上班) on weekends. Whether one day is a working
day is decided by the first of these that applies:

1. a local ``CalendarDay`` row: an imported holiday or make-up day, or a town's own day off;
2. a year with a ``HolidayYear`` row (its schedule was entered locally, see ``actions.import_holiday_schedule``):
   Monday to Friday work, weekends are off; its holidays and make-up days are the rows of rule 1. Local data
   wins over the package, so an administrator can correct a year the package got wrong;
3. a year the ``chinese_calendar`` package knows: the package;
4. otherwise, the *fallback*: Monday to Friday work, weekends are off.

Rule 4 exists because the State Council publishes next year's schedule late in the year, and a deadline due in
January must still be computed in November. Every result that used the fallback is marked ``provisional``; the
apps that store such deadlines register a recompute hook (``register_recompute_hook``) and recompute them when
the schedule arrives, and ``missing_schedule_years`` drives a warning on staff pages until it does.

Times: aware datetimes in, aware datetimes out, in ``settings.TIME_ZONE`` (Asia/Shanghai). Days and office hours
are the local wall clock of that zone; the user's active time zone plays no part.

Caching: the override table (``CalendarDay`` and ``HolidayYear`` rows, a few dozen per year) is kept per process
and revalidated by one small query per top-level call (row counts and the latest ``updated_at``), so changes by
another process, by the admin or a rolled-back test transaction are never served stale. Code that computes many
deadlines in a row can skip the revalidation with ``pinned_calendar()``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import cast

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.utils import timezone

from gridgov.core.models import CalendarDay, HolidayYear

logger = logging.getLogger(__name__)

__all__ = [
    "Deadline",
    "RecomputeHook",
    "add_working_days",
    "add_working_hours",
    "invalidate_cache",
    "is_workday",
    "is_year_known",
    "missing_schedule_years",
    "package_years",
    "pinned_calendar",
    "register_recompute_hook",
    "schedule_changed",
    "unregister_recompute_hook",
    "working_days_between",
    "working_time_between",
]

_DAY = timedelta(days=1)
_ZERO = timedelta(0)
#: More consecutive days off than this means the table is broken (e.g. a year imported as all holidays).
_MAX_DAYS_OFF = 366

Window = tuple[timedelta, timedelta]  # offsets from local midnight: [begin, end)
_WHOLE_DAY: tuple[Window, ...] = ((_ZERO, _DAY),)

# The package checks years against the span of its holiday table; read the same span instead of probing.
_PACKAGE_FIRST_YEAR: int = min(chinese_calendar.holidays).year
_PACKAGE_LAST_YEAR: int = max(chinese_calendar.holidays).year


def package_years() -> range:
    """The years whose schedule the installed ``chinese_calendar`` package knows."""
    return range(_PACKAGE_FIRST_YEAR, _PACKAGE_LAST_YEAR + 1)


# --- The override table -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """One consistent view of the local calendar rows, plus the rules that combine them with the package."""

    stamp: tuple[object, ...]
    overrides: dict[date, bool]
    local_years: frozenset[int]

    def is_known(self, year: int) -> bool:
        return year in self.local_years or _PACKAGE_FIRST_YEAR <= year <= _PACKAGE_LAST_YEAR

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        if day.year in self.local_years or not (_PACKAGE_FIRST_YEAR <= day.year <= _PACKAGE_LAST_YEAR):
            return day.weekday() < 5
        return bool(chinese_calendar.is_workday(day))


_cached: _Table | None = None
_pinned: ContextVar[_Table | None] = ContextVar("gridgov_calendar_pinned", default=None)


def _stamp() -> tuple[object, ...]:
    """Row count and latest change of both tables, in one query: changes whenever a row is added, changed or
    removed (every write goes through an action that saves ``updated_at``), and also when a transaction that
    added rows is rolled back."""
    connection = connections[router.db_for_read(CalendarDay)]
    quote = connection.ops.quote_name
    updated = quote("updated_at")
    # Only quoted table and column names from the models are interpolated; there is no user input here.
    columns = ", ".join(
        f"(SELECT COUNT(*) FROM {table}), (SELECT MAX({updated}) FROM {table})"  # noqa: S608
        for table in (quote(CalendarDay._meta.db_table), quote(HolidayYear._meta.db_table))
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        row = cursor.fetchone()
    return tuple(row) if row else ()


def _table() -> _Table:
    global _cached
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached.stamp == stamp:
        return cached
    table = _Table(
        stamp=stamp,
        overrides=dict(CalendarDay.objects.values_list("date", "is_workday")),
        local_years=frozenset(HolidayYear.objects.values_list("year", flat=True)),
    )
    _cached = table
    return table


def invalidate_cache() -> None:
    """Forget the cached override table. The stamp check makes this optional; actions call it anyway so the
    next read in this process reloads without even comparing."""
    global _cached
    _cached = None


@contextmanager
def pinned_calendar() -> Iterator[None]:
    """Use one snapshot of the override table for everything inside the block.

    For batch work (a recompute hook walking thousands of cases): skips the per-call revalidation query. Do not
    change the calendar inside the block; the block would not see it.
    """
    token = _pinned.set(_table())
    try:
        yield
    finally:
        _pinned.reset(token)


# --- Days and years ---------------------------------------------------------------------------------------------


def _local_tz() -> tzinfo:
    return timezone.get_default_timezone()


def _as_date(day: date) -> date:
    if isinstance(day, datetime):
        return timezone.localtime(day, _local_tz()).date() if timezone.is_aware(day) else day.date()
    return day


def is_workday(d: date) -> bool:
    """Is ``d`` a working day (by the rules in the module docstring)? A datetime counts as its local date."""
    return _table().is_workday(_as_date(d))


def is_year_known(year: int) -> bool:
    """Is the official schedule of ``year`` known (from the package or entered locally)?"""
    return _table().is_known(year)


def missing_schedule_years(today: date | None = None) -> list[int]:
    """The years from ``today`` to ``today`` + ``CALENDAR_WARNING_HORIZON_DAYS`` whose schedule is unknown.

    Deadlines in these years are provisional; staff pages and the admin warn until someone imports them.
    ``today`` defaults to the local date; pass it explicitly in tests.
    """
    if today is None:
        today = timezone.localdate(timezone=_local_tz())
    horizon = today + timedelta(days=cast(int, settings.GRIDGOV["CALENDAR_WARNING_HORIZON_DAYS"]))
    table = _table()
    return [year for year in range(today.year, horizon.year + 1) if not table.is_known(year)]


# --- Office hours -----------------------------------------------------------------------------------------------

_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@lru_cache(maxsize=8)
def _parse_working_hours(spec: tuple[str, ...]) -> tuple[Window, ...]:
    windows: list[Window] = []
    for text in spec:
        match = _HOURS_RE.match(text)
        if not match:
            raise ImproperlyConfigured(f"WORKING_HOURS: {text!r} is not a range like '08:30-12:00'")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        begin, end = timedelta(hours=h1, minutes=m1), timedelta(hours=h2, minutes=m2)
        if m1 > 59 or m2 > 59 or begin >= _DAY or end > _DAY or begin >= end:
            raise ImproperlyConfigured(f"WORKING_HOURS: {text!r} is not a valid range within one day")
        windows.append((begin, end))
    windows.sort()
    if not windows:
        raise ImproperlyConfigured("WORKING_HOURS is empty")
    for (_, previous_end), (begin, _) in pairwise(windows):
        if begin < previous_end:
            raise ImproperlyConfigured("WORKING_HOURS ranges overlap")
    return tuple(windows)


def _working_hours() -> tuple[Window, ...]:
    return _parse_working_hours(tuple(cast(list[str], settings.GRIDGOV["WORKING_HOURS"])))


# --- Deadlines --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A computed deadline.

    ``at`` is aware, in ``settings.TIME_ZONE``. ``provisional`` is True when a day the computation looked at lay in
    a year whose schedule is unknown, so the fallback (weekends only) was used: store the flag with the deadline
    and recompute it from a recompute hook when the schedule arrives.
    """

    at: datetime
    provisional: bool


def _to_local_naive(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("calendar functions need an aware datetime")
    return timezone.localtime(moment, _local_tz()).replace(tzinfo=None)


def _to_aware(naive: datetime) -> datetime:
    return timezone.make_aware(naive, _local_tz())


def _advance(start: datetime, amount: timedelta, windows: tuple[Window, ...], table: _Table) -> Deadline:
    """The earliest moment at which ``amount`` of time inside ``windows`` of working days has passed since
    ``start``. A result that falls exactly on a window's end stays there (17:30, not the next morning)."""
    if amount < _ZERO:
        raise ValueError("cannot count a negative amount of working time")
    if amount == _ZERO:
        return Deadline(at=timezone.localtime(start, _local_tz()), provisional=False)
    local = _to_local_naive(start)
    day = local.date()
    offset = local - datetime.combine(day, time.min)
    remaining = amount
    provisional = False
    days_off = 0
    while True:
        if not table.is_known(day.year):
            provisional = True
        if table.is_workday(day):
            days_off = 0
            for window_begin, window_end in windows:
                begin = max(window_begin, offset)
                if begin >= window_end:
                    continue
                available = window_end - begin
                if remaining <= available:
                    at = _to_aware(datetime.combine(day, time.min) + begin + remaining)
                    return Deadline(at=at, provisional=provisional)
                remaining -= available
        else:
            days_off += 1
            if days_off > _MAX_DAYS_OFF:
                raise ValueError(
                    f"no working day in the {_MAX_DAYS_OFF} days before {day}; check the calendar"
                )
        day += _DAY
        offset = _ZERO


def _elapsed(start: datetime, end: datetime, windows: tuple[Window, ...], table: _Table) -> timedelta:
    if end < start:
        return -_elapsed(end, start, windows, table)
    first, last = _to_local_naive(start), _to_local_naive(end)
    total = _ZERO
    day = first.date()
    while day <= last.date():
        if table.is_workday(day):
            midnight = datetime.combine(day, time.min)
            low, high = max(first - midnight, _ZERO), min(last - midnight, _DAY)
            for window_begin, window_end in windows:
                span = min(window_end, high) - max(window_begin, low)
                if span > _ZERO:
                    total += span
        day += _DAY
    return total


def add_working_days(start: datetime, days: int) -> Deadline:
    """The moment ``days`` working days after ``start``.

    Working days are counted as whole local days (00:00–24:00) of working days only, so:

    * from a moment on a working day: the same time of day on the ``days``-th following working day
      (Friday 15:00 + 1 → Monday 15:00; a make-up Saturday counts, a holiday does not);
    * from a non-working day (weekend, holiday): the clock starts at the beginning of the next working day and
      the deadline is the end of the ``days``-th working day, given as the following midnight
      (reported on Saturday + 1 → the Monday's end, i.e. Tuesday 00:00);
    * ``days == 0``: ``start`` itself.

    The result is the earliest moment at which that much working time has passed, which keeps it monotonic in
    ``start``: a later start never gives an earlier deadline.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    return _advance(start, timedelta(days=days), _WHOLE_DAY, _table())


def add_working_hours(start: datetime, hours: float) -> Deadline:
    """The moment ``hours`` working hours after ``start``.

    Only time inside ``GRIDGOV["WORKING_HOURS"]`` (local, e.g. 08:30–12:00 and 13:30–17:30) on working days counts;
    a start outside them counts from the next office opening. A deadline that falls exactly at a closing time is
    that closing time (11:00 + 1 h → 12:00, not 13:30). ``hours == 0``: ``start`` itself.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    return _advance(start, timedelta(hours=hours), _working_hours(), _table())


def working_time_between(start: datetime, end: datetime) -> float:
    """The working hours (inside ``WORKING_HOURS`` on working days) between two moments, as a float.

    For timing stages and suspensions (挂账: the clock stops). Negative when ``end`` is before ``start``.
    """
    return _elapsed(start, end, _working_hours(), _table()) / timedelta(hours=1)


def working_days_between(start: datetime, end: datetime) -> float:
    """The working days between two moments, as a float, on the same clock as ``add_working_days``.

    So ``working_days_between(s, add_working_days(s, n).at) == n``, and the share of a deadline that has passed
    (a case turns yellow at 75 %) is ``working_days_between(start, now) / n``.
    """
    return _elapsed(start, end, _WHOLE_DAY, _table()) / _DAY


# --- Recompute hooks --------------------------------------------------------------------------------------------

RecomputeHook = Callable[[list[int]], int]
_hooks: list[RecomputeHook] = []


def register_recompute_hook(fn: RecomputeHook) -> RecomputeHook:
    """Ask to be told when the schedule of some years changes.

    ``fn(years)`` is called after the commit of every calendar action (a year's schedule imported, a single day
    set or removed) with the sorted years whose working days changed. It should recompute the stored deadlines
    that cross those years (at least the provisional ones) and return how many it changed. Register once, from
    an ``AppConfig.ready()``; registering the same function again does nothing. Hooks run synchronously in the
    committing request or command: a hook with much work should queue a task. A hook that raises is logged and
    does not stop the others (the calendar change is already committed); hooks must therefore be idempotent so
    they can be rerun. Usable as a decorator.
    """
    if fn not in _hooks:
        _hooks.append(fn)
    return fn


def unregister_recompute_hook(fn: RecomputeHook) -> None:
    """Remove a hook (tests)."""
    if fn in _hooks:
        _hooks.remove(fn)


def schedule_changed(years: Iterable[int]) -> dict[str, int]:
    """Called by the calendar actions after commit: drop the cache and run the recompute hooks.

    Returns each hook's result by its dotted name (a hook that failed is missing).
    """
    invalidate_cache()
    changed = sorted(set(years))
    results: dict[str, int] = {}
    for hook in list(_hooks):
        name = f"{getattr(hook, '__module__', '?')}.{getattr(hook, '__qualname__', repr(hook))}"
        try:
            results[name] = hook(list(changed))
        except Exception:
            logger.exception("calendar recompute hook %s failed for years %s", name, changed)
    logger.info("calendar changed for %s; recompute hooks: %s", changed, results)
    return results
