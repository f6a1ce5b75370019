"""``gridgov import_areas FILE.geojson``: create or update areas and grids from a GeoJSON FeatureCollection.

The whole file is checked first; when anything is wrong, every problem is printed as
``line N · code X · message`` and nothing is written (the exit status is non-zero). ``-`` reads standard input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridgov.accounts.selectors import command_actor
from gridgov.geo.actions import AreaImportError, import_areas
from gridgov.geo.import_checks import validate_areas


class Command(BaseCommand):
    help = "Import areas and grids from a GeoJSON FeatureCollection (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoJSON file (UTF-8), or - for standard input")
        parser.add_argument("--actor", help="username to act as (default: the system user)")
        parser.add_argument("--dry-run", action="store_true", help="check the file only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["file"]
        try:
            if name == "-":
                text, source = sys.stdin.read(), "stdin"
            else:
                path = Path(name)
                text, source = path.read_text(encoding="utf-8-sig"), path.name
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": name, "error": error}
            ) from error
        except UnicodeDecodeError as error:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": name}) from error

        actor = command_actor(options["actor"])
        try:
            if options["dry_run"]:
                plan = validate_areas(text)
                self.stdout.write(
                    _("The file is valid (%(count)d areas); nothing was written.") % {"count": len(plan.rows)}
                )
                return
            result = import_areas(actor=actor, text=text, source_name=source)
        except AreaImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(error.message)) from error
        except PermissionDenied as error:
            raise CommandError(
                _("%(actor)s may not manage areas: %(error)s") % {"actor": actor.username, "error": error}
            ) from error
        self.stdout.write(
            _("Imported %(source)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "source": source,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
