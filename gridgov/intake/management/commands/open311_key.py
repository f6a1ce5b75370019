"""``gridgov open311_key NAME [--jurisdiction CODE] [--contact TEXT]``: issue an Open311 API key.

The key is printed once on standard output and stored only as a hash; nothing secret is logged or audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridgov.accounts.selectors import command_actor
from gridgov.intake.keys import issue_api_key
from gridgov.intake.open311.selectors import find_jurisdiction


class Command(BaseCommand):
    help = "Issue an API key for an Open311 (GeoReport v2) client and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="name of the client system the key is for (unique)")
        parser.add_argument(
            "--jurisdiction",
            default="",
            help="limit the key to a town or district (area code or case prefix)",
        )
        parser.add_argument("--contact", default="", help="who to call about this client")
        parser.add_argument("--actor", help="username to act as (default: the system account)")

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction = None
        if options["jurisdiction"]:
            jurisdiction = find_jurisdiction(options["jurisdiction"])
            if jurisdiction is None:
                raise CommandError(
                    _("No active town or district has the code or prefix %(value)s.")
                    % {"value": options["jurisdiction"]}
                )
        try:
            key, raw = issue_api_key(
                actor=command_actor(options.get("actor")),
                name=options["name"],
                jurisdiction=jurisdiction,
                contact=options["contact"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _("Open311 API key for %(name)s (copy it now: it is not stored and cannot be shown again):")
            % {"name": key.name}
        )
        self.stdout.write(raw)
