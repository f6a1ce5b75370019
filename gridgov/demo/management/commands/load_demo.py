"""``gridgov load_demo``: load the Nantong demo region and print the demo accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from gridgov.accounts.selectors import command_actor
from gridgov.demo.loader import DEMO_PASSWORD, load_demo
from gridgov.geo.choices import AreaLevel


class Command(BaseCommand):
    help = "Load the demo region (idempotent) and print the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", help="username to act as (default: the system account)")
        parser.add_argument("--no-cases", action="store_true", help="load the region without the demo cases")

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo(actor=command_actor(options.get("actor")), cases=not options.get("no_cases"))
        counts = ", ".join(f"{AreaLevel(level).label} {count}" for level, count in report.areas.items())
        self.stdout.write(_("Demo region: %(counts)s") % {"counts": counts})
        self.stdout.write(
            _("Departments: %(departments)d, routing rules: %(rules)d")
            % {"departments": report.departments, "rules": report.routing_rules}
        )
        if not options.get("no_cases"):
            self.stdout.write(
                _("Demo cases: %(total)d (%(created)d created now)")
                % {"total": report.cases.total, "created": report.cases.created}
            )
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": DEMO_PASSWORD})
        for account in report.accounts:
            self.stdout.write(f"  {account.username:<12} {account.description}")
