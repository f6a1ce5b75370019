"""Importing hotline work orders and historical cases from a CSV or XLSX file.

``import_reports`` is the one write: the page and the ``import_reports`` command are adapters over it. Every row
is checked on its own and, when good, becomes a case through ``intake.actions.submit_report`` (channel
``import`` or ``hotline``, ``source`` = the system the file comes from, ``external_id`` = the work-order number,
``intake_area`` = the importing center's area so that a row without a place still lands). A bad row is
reported with its row number as the spreadsheet shows it and the reason; it never stops the others. A row whose
(source, number) already exists counts as already imported, so running the same file again adds nothing.

Finished work orders (a status such as 已办结, or a finished-at time when there is no status column) are closed
in the same transaction by ``cases.history.actions.close_historical``, with the file's reported and finished-at
times, and nobody is notified of them; the file's status and result are also kept in ``Submission.extra`` (see
docs/import.md). A finished row that cannot be closed that way is refused with the reason, never left half-done.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.selectors import import_areas_for, may_import
from gridgov.cases.choices import Channel
from gridgov.cases.history.actions import IMPORT_CHANNELS, IMPORT_MARK, close_historical
from gridgov.cases.models import Case
from gridgov.core.audit import record
from gridgov.core.exceptions import InvalidTransition
from gridgov.geo.geometry import CoordSystem
from gridgov.geo.models import Area
from gridgov.intake.actions import Intake, submit_report
from gridgov.intake.imports.mapping import FIELDS_BY_NAME, guess_mapping, resolve_columns
from gridgov.intake.imports.parsing import cell_text
from gridgov.intake.imports.reader import Header, Sheet, is_blank, locate_header, read_sheet
from gridgov.intake.imports.rows import Lookups, ParsedRow, Row, RowProblem, check_identity, check_row
from gridgov.intake.models import Submission

#: Rows shown on the mapping preview.
PREVIEW_ROWS = 5


# --- Results -----------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did: counts, the problems of the bad rows and their cells (to fix and upload again)."""

    source: str
    filename: str = ""
    dry_run: bool = False
    header_row: int = 1
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    imported: int = 0
    already: int = 0
    closed: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    bad_cells: dict[int, list[str]] = field(default_factory=dict)
    cases: list[str] = field(default_factory=list)

    @property
    def bad(self) -> int:
        """Rows not imported because of a problem (a row with two problems counts once)."""
        return len({problem.row for problem in self.problems})

    def bad_rows(self) -> list[tuple[int, list[RowProblem], list[str]]]:
        """``(row, its problems, its cells)`` in row order, for the error file."""
        by_row: dict[int, list[RowProblem]] = {}
        for problem in self.problems:
            by_row.setdefault(problem.row, []).append(problem)
        return [(row, by_row[row], self.bad_cells.get(row, [])) for row in sorted(by_row)]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["bad_cells"] = {str(row): cells for row, cells in self.bad_cells.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImportReport:
        values = dict(data)
        values["problems"] = [RowProblem(**problem) for problem in values.get("problems", [])]
        values["bad_cells"] = {int(row): cells for row, cells in values.get("bad_cells", {}).items()}
        return cls(**values)


class _Refused(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


# --- Who may import ----------------------------------------------------------------------------------------------
# ``import_areas_for`` and ``may_import`` live in ``accounts.selectors``: closing imported history
# (``cases.history``) asks the same question.


def _import_area(actor: Any, area: Area | None) -> Area:
    if area is None:
        areas = import_areas_for(actor)
        if len(areas) != 1:
            if not areas:
                raise PermissionDenied(_("Only the staff of a command center may import work orders."))
            raise ValidationError({"area": _("Choose the command center the work orders are imported for.")})
        area = areas[0]
    if not may_import(actor, area):
        raise PermissionDenied(_("You may not import work orders for %(area)s.") % {"area": area.name})
    return area


def _close_finished(*, actor: User, case: Case, parsed: ParsedRow, source: str) -> Case:
    """Close a case that was finished before the import, with the file's times (``close_historical``)."""
    if case.category is None:
        raise _Refused(
            "category",
            _("The work order is finished, but it has no category, which closing needs: give its category."),
        )
    assert parsed.resolved_at is not None  # noqa: S101 - check_row refuses a finished row without it
    note = _("Finished in %(source)s at %(time)s; closed on import.") % {
        "source": source,
        "time": timezone.localtime(parsed.resolved_at).strftime("%Y-%m-%d %H:%M"),
    }
    return close_historical(
        actor=actor,
        case=case,
        resolved_at=parsed.resolved_at,
        result=parsed.history.get("result") or note,
        note=note,
    )


def _intake(parsed: ParsedRow, *, area: Area, source: str, coord_system: str, filename: str) -> Intake:
    extra: dict[str, Any] = {IMPORT_MARK: {"row": parsed.row}}
    if filename:
        extra[IMPORT_MARK]["file"] = filename[:200]
    if parsed.history:
        extra["history"] = dict(parsed.history)
    return Intake(
        channel=parsed.channel,
        text=parsed.text,
        title=parsed.title,
        category=parsed.category,
        request_type=parsed.request_type,
        lat=parsed.lat,
        lon=parsed.lon,
        coord_system=coord_system,
        address=parsed.address,
        grid=parsed.grid,
        intake_area=area,
        reporter_name=parsed.reporter_name,
        reporter_phone=parsed.reporter_phone,
        reported_at=parsed.reported_at,
        source=source,
        external_id=parsed.external_id,
        extra=extra,
        announce=not parsed.finished,  # old, finished work orders must not alert anyone
    )


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [(name, str(message)) for name, messages in error.message_dict.items() for message in messages]
    return [("", str(message)) for message in error.messages]


# --- The import --------------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    sheet: Sheet
    header: Header
    columns: dict[str, int]
    mapping: dict[str, str]


def prepare(
    *,
    file: IO[bytes] | Path | str | bytes | None = None,
    rows: Sequence[Sequence[Any]] | None = None,
    filename: str = "",
    mapping: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
) -> Prepared:
    """Open the file, find its header row and resolve the mapping (``FileUnreadable`` / ``MappingError``)."""
    if rows is not None:
        sheet = Sheet.from_rows(rows, name=filename)
    elif file is not None:
        sheet = read_sheet(file, name=filename, max_bytes=max_bytes)
    else:
        raise ValueError("give a file or rows")
    header = locate_header(sheet)
    chosen = dict(mapping) if mapping is not None else guess_mapping(header.cells)
    chosen = {name: header_name for name, header_name in chosen.items() if header_name}
    columns = resolve_columns(chosen, header.cells)
    return Prepared(sheet, header, columns, chosen)


def _validate_options(source: str, channel: str, coord_system: str) -> str:
    source = (source or "").strip()
    errors: dict[str, str] = {}
    if not source:
        errors["source"] = _("Name the system the file comes from (e.g. 12345).")
    elif len(source) > 100:
        errors["source"] = _("At most 100 characters.")
    if channel not in IMPORT_CHANNELS:
        errors["channel"] = _("Imported rows come in as imports or hotline reports.")
    if coord_system not in CoordSystem.values:
        errors["coord_system"] = _("Unknown coordinate system.")
    if errors:
        raise ValidationError(errors)
    return source


def import_reports(
    *,
    actor: User,
    source: str,
    file: IO[bytes] | Path | str | bytes | None = None,
    rows: Sequence[Sequence[Any]] | None = None,
    filename: str = "",
    mapping: Mapping[str, str] | None = None,
    area: Area | None = None,
    channel: str = Channel.IMPORT,
    coord_system: str = CoordSystem.WGS84,
    dry_run: bool = False,
    max_bytes: int | None = None,
) -> ImportReport:
    """导入工单: import the work orders of ``file`` (or of ``rows``, the first being the header) into ``area``.

    ``mapping`` is ``{field: header}`` (default: the headers we recognise). Raises ``PermissionDenied`` unless
    the actor may import for the area, ``ValidationError`` for bad options, ``FileUnreadable`` /
    ``MappingError`` when the file cannot be read or its columns cannot be mapped; everything that concerns a
    single row ends up in the report. ``dry_run`` checks every row and writes nothing (it does not triage, so a
    finished row without a category is only found out by the real import).
    """
    source = _validate_options(source, channel, coord_system)
    area = _import_area(actor, area)
    prepared = prepare(file=file, rows=rows, filename=filename, mapping=mapping, max_bytes=max_bytes)
    header = prepared.header
    report = ImportReport(
        source=source,
        filename=filename,
        dry_run=dry_run,
        header_row=header.row,
        headers=header.cells,
        mapping=prepared.mapping,
    )
    lookups = Lookups(area)
    first_row: dict[str, int] = {}
    for row in _data_rows(prepared):
        report.rows += 1
        external_id = row.bounded("external_id")
        check_identity(row, external_id, first_row)
        if not row.problems and Submission.objects.filter(source=source, external_id=external_id).exists():
            report.already += 1
            continue
        parsed = None
        if not row.problems:
            parsed = check_row(
                row,
                external_id=external_id,
                lookups=lookups,
                channel=channel,
                coord_system=coord_system,
            )
        if parsed is None:
            _add_bad(report, row)
        elif dry_run:
            report.imported += 1
            report.closed += int(parsed.finished)
        else:
            _import_row(
                report, row, parsed, actor=actor, area=area, coord_system=coord_system, filename=filename
            )
    if not dry_run:
        _audit(actor, area, report)
    return report


def _import_row(
    report: ImportReport,
    row: Row,
    parsed: ParsedRow,
    *,
    actor: User,
    area: Area,
    coord_system: str,
    filename: str,
) -> None:
    intake = _intake(parsed, area=area, source=report.source, coord_system=coord_system, filename=filename)
    number = ""
    try:
        with transaction.atomic():
            submitted = submit_report(actor=actor, intake=intake)
            if not submitted.created:
                report.already += 1
                return
            number = submitted.case.number
            if parsed.finished:
                _close_finished(actor=actor, case=submitted.case, parsed=parsed, source=report.source)
    except ValidationError as error:
        for name, message in _messages(error) or [("", _("The row could not be imported."))]:
            row.problem(name if name in FIELDS_BY_NAME else "", message)
    except _Refused as refused:
        row.problem(refused.field, refused.reason)
    except (PermissionDenied, InvalidTransition) as error:
        row.problem("", str(error) or _("You are not allowed to do this here."))
    if row.problems or not number:
        _add_bad(report, row)
        return
    report.imported += 1
    report.closed += int(parsed.finished)
    report.cases.append(number)


def _add_bad(report: ImportReport, row: Row) -> None:
    report.problems.extend(row.problems)
    report.bad_cells[row.number] = [cell_text(cell) for cell in row.cells]


def _audit(actor: User, area: Area, report: ImportReport) -> None:
    record(
        actor=actor,
        verb="import_reports",
        target=area,
        summary=f"{report.source} {report.filename}: +{report.imported} ={report.already} !{report.bad}",
        data={
            "source": report.source,
            "file": report.filename,
            "rows": report.rows,
            "imported": report.imported,
            "closed": report.closed,
            "already": report.already,
            "bad": report.bad,
        },
    )


def preview(
    *,
    prepared: Prepared,
    area: Area,
    source: str = "",
    channel: str = Channel.IMPORT,
    coord_system: str = CoordSystem.WGS84,
    limit: int = PREVIEW_ROWS,
) -> list[tuple[int, dict[str, str], list[RowProblem]]]:
    """The first ``limit`` rows as the import would read them: ``(row, values by field, problems)``."""
    lookups = Lookups(area)
    result: list[tuple[int, dict[str, str], list[RowProblem]]] = []
    first_row: dict[str, int] = {}
    for row in _data_rows(prepared):
        external_id = row.bounded("external_id")
        check_identity(row, external_id, first_row)
        if (
            not row.problems
            and source
            and Submission.objects.filter(source=source, external_id=external_id).exists()
        ):
            row.problem("external_id", _("Already imported."))
        identity_problems, row.problems = row.problems, []
        parsed = check_row(
            row,
            external_id=external_id,
            lookups=lookups,
            channel=channel,
            coord_system=coord_system,
        )
        row.problems = identity_problems + row.problems
        values = (
            parsed.display() if parsed is not None else {name: row.text(name) for name in prepared.columns}
        )
        result.append((row.number, values, row.problems))
        if len(result) >= limit:
            break
    return result


def _data_rows(prepared: Prepared) -> Iterator[Row]:
    """The rows below the header, empty ones skipped."""
    header = prepared.header
    for number, cells in prepared.sheet.rows():
        if number > header.row and not is_blank(cells):
            yield Row(number, cells, prepared.columns, header.cells)
