"""``gridgov alerts scan [--area CODE] [--now ISO] [--rule CODE]``: run the early-warning rules (预警扫描).

Idempotent; run it every few minutes from cron, a systemd timer or a task queue. It prints each alert it raised
or extended and a count of the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.selectors import command_actor
from gridgov.alerts.actions import Outcome
from gridgov.alerts.scan import scan
from gridgov.geo.models import Area


class Command(BaseCommand):
    help = "Early warning: scan the cases with the active rules and raise alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("scan", help="run the active rules once")
        run.add_argument("--area", help="only the cases under this area code")
        run.add_argument("--now", help="scan as of this time (ISO 8601; local time when no offset is given)")
        run.add_argument("--rule", action="append", help="only this rule code (repeatable)")
        run.add_argument("--actor", help="username to act as (default: the system account)")

    def handle(self, *args: Any, **options: Any) -> None:
        area = None
        if options.get("area"):
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(_("No area with code %(code)s.") % {"code": options["area"]})
        now = _parse_now(options.get("now"))
        result = scan(
            actor=command_actor(options.get("actor")), now=now, area=area, rules=options.get("rule")
        )
        for rule, outcome in result.results:
            alert = outcome.alert
            if alert is None or outcome.outcome not in (Outcome.RAISED, Outcome.EXTENDED):
                continue
            values = {
                "id": alert.pk,
                "rule": rule.code,
                "area": alert.area.code,
                "title": alert.title,
                "cases": ", ".join(outcome.added),
            }
            if outcome.outcome == Outcome.RAISED:
                self.stdout.write(_("Raised #%(id)d [%(rule)s] %(area)s: %(title)s (%(cases)s)") % values)
            else:
                self.stdout.write(_("Extended #%(id)d [%(rule)s] with %(cases)s") % values)
        for rule, key in result.failed:
            if key == "params":
                self.stderr.write(
                    _("Rule %(rule)s skipped: its parameters are invalid.") % {"rule": rule.code}
                )
            else:
                self.stderr.write(
                    _("Not saved, left to the next scan: %(rule)s %(key)s") % {"rule": rule.code, "key": key}
                )
        self.stdout.write(
            _(
                "%(rules)d rules scanned at %(now)s: %(raised)d raised, %(extended)d extended, "
                "%(unchanged)d unchanged, %(skipped)d already concluded."
            )
            % {
                "rules": len(result.rules),
                "now": timezone.localtime(result.now).isoformat(timespec="seconds"),
                "raised": result.count(Outcome.RAISED),
                "extended": result.count(Outcome.EXTENDED),
                "unchanged": result.count(Outcome.UNCHANGED),
                "skipped": result.count(Outcome.SKIPPED),
            }
        )


def _parse_now(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(_("'%(value)s' is not an ISO 8601 time.") % {"value": raw}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
