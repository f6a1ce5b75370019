"""``gridgov bulletin``: write the weekly or monthly bulletins (通报) of command-center areas, Excel and PDF.

    gridgov bulletin --period week --previous              # Monday's cron: last week, every town and district
    gridgov bulletin --period month --previous             # the 1st: last month
    gridgov bulletin --area 320612 --period month --date 2026-11-15

Files go to ``REPORT_DIR/<area code>/<period slug>.xlsx|.pdf`` (docs/reports.md); a rerun replaces them. Without
``--area``: every active town and district with a case reported in the period (``--all``: even without one).
Exit status 1 for an unknown area code or a bad date.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.cases.models import Case
from gridgov.command.periods import Period
from gridgov.command.reports import generate_bulletin
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

#: The levels whose command centers get a bulletin by default.
DEFAULT_LEVELS = (AreaLevel.DISTRICT, AreaLevel.TOWN)


class Command(BaseCommand):
    help = "Write the weekly or monthly bulletins (Excel and PDF) of command-center areas to REPORT_DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--area", action="append", default=[], metavar="CODE", help="area code (repeatable)"
        )
        which.add_argument(
            "--all", action="store_true", help="every active town and district, even without cases"
        )
        parser.add_argument("--period", choices=["week", "month"], default="month", help="default: month")
        parser.add_argument("--date", help="a day inside the period, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--previous",
            action="store_true",
            help="the period before the one containing the date: the last complete week or month",
        )
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="language of the messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        period = self._period(options)
        areas = self._areas(options, period)
        if not areas:
            self.stdout.write(
                _("No area with cases in %(period)s; nothing written.") % {"period": period.label}
            )
            return
        for area in areas:
            started = time.perf_counter()
            files = generate_bulletin(area, period)
            elapsed = time.perf_counter() - started
            for path in files:
                self.stdout.write(
                    _("%(area)s %(period)s: wrote %(path)s")
                    % {"area": area.name, "period": period.label, "path": path}
                )
            if options["verbosity"] > 1:
                self.stdout.write(_("(%(seconds).1f s)") % {"seconds": elapsed})

    def _period(self, options: dict[str, Any]) -> Period:
        day = timezone.localdate()
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    _("'%(value)s' is not a date (YYYY-MM-DD).") % {"value": options["date"]}
                ) from None
        period = Period.containing(options["period"], day)
        return period.previous() if options["previous"] else period

    def _areas(self, options: dict[str, Any], period: Period) -> list[Area]:
        if options["area"]:
            found = {a.code: a for a in Area.objects.filter(code__in=options["area"], is_active=True)}
            missing = [code for code in options["area"] if code not in found]
            if missing:
                raise CommandError(_("No such area: %(codes)s") % {"codes": ", ".join(missing)})
            return [found[code] for code in dict.fromkeys(options["area"])]
        candidates = list(Area.objects.filter(level__in=DEFAULT_LEVELS, is_active=True).order_by("path"))
        if options["all"]:
            return candidates
        start, end = period.bounds()
        reported = Case.objects.filter(reported_at__gte=start, reported_at__lt=end)
        return [area for area in candidates if reported.filter(area_path__within=area.path).exists()]
