"""Writes to the working-day calendar: a year's holiday schedule and single local days.

Every deadline in the platform depends on these rows, so each write is an action: it checks
``MANAGE_CALENDAR``, validates, writes in one transaction with one audit row, and after commit tells
``calendar.schedule_changed`` so caches are dropped and apps recompute the deadlines they stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.permissions import Verb, require
from gridgov.core.audit import record
from gridgov.core.calendar import schedule_changed
from gridgov.core.models import CalendarDay, HolidayYear

if TYPE_CHECKING:
    from gridgov.accounts.models import User

__all__ = [
    "ScheduleDay",
    "ScheduleProblem",
    "delete_calendar_day",
    "import_holiday_schedule",
    "schedule_problems",
    "set_calendar_day",
]

#: (date, is_workday, name): one day of a schedule; is_workday False = holiday (休), True = make-up workday (班).
ScheduleDay = tuple[date, bool, str]

FIRST_YEAR, LAST_YEAR = 2000, 2100
_NAME_MAX = CalendarDay._meta.get_field("name").max_length or 64
_SOURCE_MAX = HolidayYear._meta.get_field("source").max_length or 255


@dataclass(frozen=True)
class ScheduleProblem:
    """One reason a schedule cannot be imported; ``index`` is the position in ``days`` (None: the whole list),
    so an importer can point at the row of its file."""

    index: int | None
    code: str
    message: str


def schedule_problems(*, year: int, days: Sequence[ScheduleDay], source: str = "") -> list[ScheduleProblem]:
    """Everything wrong with a schedule, in order; empty when it may be imported.

    A schedule is one year's complete list of holidays and make-up workdays. Checked: the year is plausible,
    every date lies in it and appears once, names and source fit their fields, there is at least one holiday,
    and make-up workdays fall on a weekend (a weekday listed as 班 nearly always means the type column is wrong).
    """
    problems: list[ScheduleProblem] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("The year %(year)s is outside %(first)s–%(last)s.")
        problems.append(
            ScheduleProblem(None, "year", message % {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR})
        )
    if len(source) > _SOURCE_MAX:
        message = _("The source is longer than %(max)s characters.")
        problems.append(ScheduleProblem(None, "source", message % {"max": _SOURCE_MAX}))
    if not days:
        problems.append(ScheduleProblem(None, "empty", _("The schedule lists no days.")))
        return problems
    seen: set[date] = set()
    for index, (day, is_workday, name) in enumerate(days):
        params = {"date": day.isoformat(), "year": year, "max": _NAME_MAX}
        if day.year != year:
            problems.append(ScheduleProblem(index, "other_year", _("%(date)s is not in %(year)s.") % params))
        if day in seen:
            problems.append(
                ScheduleProblem(index, "duplicate", _("%(date)s is listed more than once.") % params)
            )
        seen.add(day)
        if is_workday and day.weekday() < 5:
            message = _("%(date)s is a weekday; a make-up workday falls on a Saturday or Sunday.")
            problems.append(ScheduleProblem(index, "weekday_workday", message % params))
        if len(name) > _NAME_MAX:
            message = _("The name of %(date)s is longer than %(max)s characters.")
            problems.append(ScheduleProblem(index, "name", message % params))
    if all(is_workday for _day, is_workday, _name in days):
        problems.append(ScheduleProblem(None, "no_holiday", _("The schedule lists no holidays.")))
    return problems


def _raise_for(problems: list[ScheduleProblem]) -> None:
    if problems:
        raise ValidationError([ValidationError(p.message, code=p.code) for p in problems])


def import_holiday_schedule(
    *, actor: User, year: int, days: Sequence[ScheduleDay], source: str
) -> HolidayYear:
    """Enter the official holiday schedule of ``year`` (when the package does not know it yet, or to correct it).

    Replaces all ``CalendarDay`` rows of the year (including single local days set before: re-enter them after
    the import; the audit row keeps the replaced rows) and creates or updates the ``HolidayYear``, which makes
    the year known: deadlines in it stop being provisional. After commit the recompute hooks run with ``[year]``.
    """
    with transaction.atomic():
        require(actor, Verb.MANAGE_CALENDAR)
        _raise_for(schedule_problems(year=year, days=days, source=source))
        in_year = CalendarDay.objects.filter(date__year=year)
        replaced = [[row.date.isoformat(), row.is_workday, row.name] for row in in_year.order_by("date")]
        in_year.delete()
        rows = [CalendarDay(date=day, is_workday=work, name=name) for day, work, name in sorted(days)]
        CalendarDay.objects.bulk_create(rows)
        holiday_year, created = HolidayYear.objects.update_or_create(year=year, defaults={"source": source})
        holidays = sum(1 for row in rows if not row.is_workday)
        record(
            actor=actor,
            verb="import_holiday_schedule",
            target=holiday_year,
            summary=_("%(year)s holiday schedule: %(holidays)s holidays, %(workdays)s make-up workdays")
            % {"year": year, "holidays": holidays, "workdays": len(rows) - holidays},
            data={
                "year": year,
                "source": source,
                "created": created,
                "days": [[row.date.isoformat(), row.is_workday, row.name] for row in rows],
                "replaced": replaced,
            },
        )
        transaction.on_commit(partial(schedule_changed, [year]))
    return holiday_year


def set_calendar_day(*, actor: User, day: date, is_workday: bool, name: str) -> CalendarDay:
    """Set one local day: a town's own day off, a correction, or a single holiday or make-up day.

    The row wins over the package and the year's schedule. After commit the recompute hooks run with the year.
    """
    with transaction.atomic():
        require(actor, Verb.MANAGE_CALENDAR)
        if len(name) > _NAME_MAX:
            raise ValidationError(
                _("The name is longer than %(max)s characters.") % {"max": _NAME_MAX}, code="name"
            )
        previous = CalendarDay.objects.filter(date=day).first()
        calendar_day, created = CalendarDay.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "name": name}
        )
        record(
            actor=actor,
            verb="set_calendar_day",
            target=calendar_day,
            summary=f"{day.isoformat()} {'班' if is_workday else '休'} {name}".strip(),
            data={
                "date": day.isoformat(),
                "is_workday": is_workday,
                "name": name,
                "created": created,
                "previous": None
                if previous is None
                else {"is_workday": previous.is_workday, "name": previous.name},
            },
        )
        transaction.on_commit(partial(schedule_changed, [day.year]))
    return calendar_day


def delete_calendar_day(*, actor: User, day: date) -> None:
    """Remove the local row of one day, so the year's schedule (or the package, or the fallback) decides again.

    After commit the recompute hooks run with the year.
    """
    with transaction.atomic():
        require(actor, Verb.MANAGE_CALENDAR)
        calendar_day = CalendarDay.objects.select_for_update().filter(date=day).first()
        if calendar_day is None:
            raise ValidationError(
                _("There is no calendar day %(date)s.") % {"date": day.isoformat()}, code="missing"
            )
        record(
            actor=actor,
            verb="delete_calendar_day",
            target=calendar_day,
            summary=f"{day.isoformat()} {calendar_day.name}".strip(),
            data={"date": day.isoformat(), "is_workday": calendar_day.is_workday, "name": calendar_day.name},
        )
        calendar_day.delete()
        transaction.on_commit(partial(schedule_changed, [day.year]))
