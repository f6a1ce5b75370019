"""``gridgov import_reports FILE --source 12345 --actor USER``: import hotline work orders or historical cases.

The file is CSV (UTF-8 or GB18030) or XLSX; columns are recognised by their usual names (工单编号, 来电时间,
诉求内容…) and ``--map field=Header`` overrides or adds one (``--map grid=`` leaves a column out). Every bad row
is printed as ``第 7 行: …`` (row numbers as the spreadsheet shows them) and skipped; the others are imported.
Running the same file again adds nothing. ``--errors FILE.csv|.xlsx`` writes the bad rows to fix and re-import.

Exit status: 0 when the file could be read (whatever the rows), 2 when it could not be read or its columns could
not be mapped, 1 for a refused permission or a bad option.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from gridgov.accounts.selectors import command_actor
from gridgov.cases.choices import Channel
from gridgov.geo.geometry import CoordSystem
from gridgov.geo.models import Area
from gridgov.intake.imports.errors_file import error_csv, error_xlsx
from gridgov.intake.imports.mapping import (
    FIELDS_BY_NAME,
    MappingError,
    guess_mapping,
    merge_mapping,
    parse_overrides,
)
from gridgov.intake.imports.reader import FileUnreadable, locate_header, read_sheet
from gridgov.intake.imports.service import ImportReport, import_reports

UNREADABLE = 2


class Command(BaseCommand):
    help = "Import hotline work orders or historical cases from a CSV or XLSX file (bad rows are reported, not fatal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (UTF-8 or GB18030) or XLSX file")
        parser.add_argument("--source", required=True, help='the system the file comes from, e.g. "12345"')
        parser.add_argument("--actor", help="username to act as: a dispatcher of the importing center")
        parser.add_argument(
            "--area", help="code of the importing center's area (default: the actor's only one)"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help=f"column of a field (repeatable); fields: {', '.join(FIELDS_BY_NAME)}",
        )
        parser.add_argument(
            "--channel",
            choices=[Channel.IMPORT, Channel.HOTLINE],
            default=Channel.IMPORT,
            help="default channel",
        )
        parser.add_argument(
            "--coords",
            choices=CoordSystem.values,
            default=CoordSystem.WGS84,
            help="system of the coordinates",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--errors", help="write the bad rows with their reasons to this .csv or .xlsx file"
        )
        parser.add_argument("--max-bytes", type=int, help="largest file accepted (default: MAX_UPLOAD_BYTES)")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="language of the messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            overrides = parse_overrides(options["map"])
        except MappingError as error:
            raise CommandError("\n".join(error.problems)) from error
        area = None
        if options["area"]:
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(_("No area with the code %(code)s.") % {"code": options["area"]})
        actor = command_actor(options["actor"])
        try:
            header = locate_header(read_sheet(path, max_bytes=options["max_bytes"]))
            mapping = merge_mapping(guess_mapping(header.cells), overrides)
            report = import_reports(
                actor=actor,
                file=path,
                filename=path.name,
                source=options["source"],
                mapping=mapping,
                area=area,
                channel=options["channel"],
                coord_system=options["coords"],
                dry_run=options["dry_run"],
                max_bytes=options["max_bytes"],
            )
        except FileUnreadable as error:
            raise CommandError(f"{path}: {error.message}", returncode=UNREADABLE) from error
        except MappingError as error:
            raise CommandError("\n".join(error.problems), returncode=UNREADABLE) from error
        except PermissionDenied as error:
            raise CommandError(
                _("%(actor)s may not import work orders here (%(error)s) Use --actor with a dispatcher.")
                % {"actor": actor.username, "error": error}
            ) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self._print(report)
        if options["errors"] and report.bad:
            target = Path(options["errors"])
            target.write_bytes(error_xlsx(report) if target.suffix.lower() == ".xlsx" else error_csv(report))
            self.stdout.write(_("The rows to fix were written to %(file)s.") % {"file": target})

    def _print(self, report: ImportReport) -> None:
        columns = ", ".join(f"{field}={header}" for field, header in report.mapping.items())
        self.stdout.write(_("Columns: %(columns)s") % {"columns": columns})
        for problem in report.problems:
            self.stdout.write(str(problem))
        if report.dry_run:
            summary = _(
                "Checked %(file)s (nothing written): %(imported)d to import (%(closed)d closed as finished), "
                "%(already)d already imported, %(bad)d rows with problems."
            )
        else:
            summary = _(
                "Imported %(file)s: %(imported)d imported (%(closed)d closed as finished), "
                "%(already)d already imported, %(bad)d rows with problems."
            )
        self.stdout.write(
            summary
            % {
                "file": report.filename,
                "imported": report.imported,
                "closed": report.closed,
                "already": report.already,
                "bad": report.bad,
            }
        )
