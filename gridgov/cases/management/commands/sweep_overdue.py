"""``gridgov sweep_overdue``: colour cases due soon (yellow) and overdue (red), and send the notices (催办).

Idempotent; run it every few minutes from cron, a systemd timer or a task queue.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from gridgov.accounts.selectors import command_actor
from gridgov.cases.sweep import sweep_deadlines


class Command(BaseCommand):
    help = "Mark cases due soon or overdue and notify who holds them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", help="username to act as (default: the system account)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep_deadlines(actor=command_actor(options.get("actor")))
        self.stdout.write(
            _("%(checked)d cases checked: %(red)d overdue, %(yellow)d due soon, %(normal)d back on time.")
            % {
                "checked": result.checked,
                "red": result.changed["red"],
                "yellow": result.changed["yellow"],
                "normal": result.changed["normal"],
            }
        )
