"""``gridgov import_holidays FILE``: enter a year's official holiday schedule from a CSV file.

The State Council publishes next year's schedule (放假安排) late in the year, before the ``chinese_calendar``
package knows it; until then deadlines in that year are provisional. This command is how an administrator
makes the year known. The parser is also used by the admin's upload form.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.accounts.selectors import command_actor
from gridgov.core.actions import ScheduleDay, import_holiday_schedule, schedule_problems

HEADER = ["date", "type", "name"]
TYPES = {"holiday": False, "休": False, "workday": True, "班": True}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ScheduleRow:
    """One good row of the file: its row number (the header is row 1, as in a spreadsheet) and its day."""

    row: int
    day: ScheduleDay


@dataclass(frozen=True)
class RowError:
    """A reason the file cannot be imported; ``row`` is None when it concerns the whole file."""

    row: int | None
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return str(self.reason)
        return _("row %(row)s: %(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class ParsedSchedule:
    year: int | None
    rows: list[ScheduleRow]
    errors: list[RowError]

    @property
    def days(self) -> list[ScheduleDay]:
        return [row.day for row in self.rows]


def parse_schedule_csv(lines: Iterable[str], *, year: int | None = None, source: str = "") -> ParsedSchedule:
    """Read and check a ``date,type,name`` file completely, collecting every problem with its row number.

    ``type`` is ``holiday``/``休`` or ``workday``/``班``; dates are ISO (``2027-10-01``); ``name`` may be empty.
    Without ``year`` the year is the one all dates share. Besides the format, the rows are checked with
    ``actions.schedule_problems``, so a file that parses cleanly will also import.
    """
    errors: list[RowError] = []
    rows: list[ScheduleRow] = []
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or [cell.strip().lower() for cell in header] != HEADER:
        errors.append(RowError(1, _("the header must be: %(header)s") % {"header": ",".join(HEADER)}))
        return ParsedSchedule(year, rows, errors)
    for cells in reader:
        number = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) not in (2, 3):
            errors.append(RowError(number, _("expected 3 columns: date, type, name")))
            continue
        text_date, text_type, name = cells[0], cells[1], cells[2] if len(cells) == 3 else ""
        row_errors: list[str] = []
        day: date | None = None
        if _ISO_DATE.match(text_date):
            try:
                day = date.fromisoformat(text_date)
            except ValueError:
                day = None
        if day is None:
            row_errors.append(_("“%(value)s” is not a date like 2027-10-01") % {"value": text_date})
        is_workday = TYPES.get(text_type.lower())
        if is_workday is None:
            row_errors.append(
                _("“%(value)s” is not a type; use holiday, 休, workday or 班") % {"value": text_type}
            )
        if day is None or is_workday is None:
            errors.extend(RowError(number, reason) for reason in row_errors)
            continue
        rows.append(ScheduleRow(number, (day, is_workday, name)))

    if year is None:
        years = sorted({row.day[0].year for row in rows})
        if len(years) == 1:
            year = years[0]
        elif len(years) > 1:
            message = _("the dates span several years (%(years)s); pass --year")
            errors.append(RowError(None, message % {"years": ", ".join(map(str, years))}))
    if year is not None:
        for problem in schedule_problems(year=year, days=[row.day for row in rows], source=source):
            if problem.index is not None:
                errors.append(RowError(rows[problem.index].row, problem.message))
            elif not errors or problem.code not in {"empty", "no_holiday"}:
                # "no days"/"no holidays" would only repeat the row errors above.
                errors.append(RowError(None, problem.message))
    elif not rows and not errors:
        errors.append(RowError(None, _("The schedule lists no days.")))
    errors.sort(key=lambda error: (error.row is not None, error.row or 0))
    return ParsedSchedule(year, rows, errors)


class Command(BaseCommand):
    help = (
        "Import one year's official holiday schedule (放假安排) from a CSV file with the header 'date,type,name': "
        "one row per day, date as YYYY-MM-DD, type holiday/休 (day off) or workday/班 (make-up workday), name "
        "such as 春节. List every day off of the holidays, weekends inside them included, and every make-up "
        "workday. The file replaces all calendar days of that year, and nothing is written when any row is bad. "
        "gridgov/core/data/holidays-2027.example.csv shows the format: it is an EXAMPLE with plausible dates, "
        "not the official 2027 schedule; enter the State Council's notice when it is published."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file with the header date,type,name")
        parser.add_argument("--year", type=int, help="the schedule's year (default: the year of the dates)")
        parser.add_argument(
            "--source", default=None, help="where the schedule comes from (default: file name)"
        )
        parser.add_argument("--actor", default=None, help="username to act as (default: the system user)")
        parser.add_argument("--dry-run", action="store_true", help="check the file only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        source: str = options["source"] if options["source"] is not None else path.name
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                parsed = parse_schedule_csv(handle, year=options["year"], source=source)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error}
            ) from error
        except UnicodeDecodeError as error:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": path}) from error

        if parsed.errors or parsed.year is None:
            lines = [str(error) for error in parsed.errors]
            heading = ngettext(
                "%(count)s problem in %(file)s; nothing was imported:",
                "%(count)s problems in %(file)s; nothing was imported:",
                len(lines),
            ) % {"count": len(lines), "file": path}
            raise CommandError("\n".join([heading, *lines]))

        holidays = sum(1 for _day, is_workday, _name in parsed.days if not is_workday)
        summary = _("%(year)s: %(holidays)s holidays, %(workdays)s make-up workdays") % {
            "year": parsed.year,
            "holidays": holidays,
            "workdays": len(parsed.days) - holidays,
        }
        if options["dry_run"]:
            self.stdout.write(
                _("The file is valid (%(summary)s); nothing was written.") % {"summary": summary}
            )
            return

        actor = command_actor(options["actor"])
        try:
            import_holiday_schedule(actor=actor, year=parsed.year, days=parsed.days, source=source)
        except PermissionDenied as error:
            raise CommandError(
                _("%(actor)s may not manage the calendar: %(error)s") % {"actor": actor, "error": error}
            ) from error
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(_("Imported %(summary)s.") % {"summary": summary}))
