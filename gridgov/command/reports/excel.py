"""The bulletin as an Excel workbook: a summary sheet, one sheet per table, native charts of the volumes.

Headers are translated strings (Chinese under the default language); counts are numbers, rates are fractions
shown as percentages, days have one decimal, so a reader can sort, filter and compute in Excel. Header rows are
frozen and columns sized to their content.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gridgov.command.reports.tables import COUNT, DAYS, RANKING_COLUMN, RATE, UNIT_COLUMNS
from gridgov.command.selectors.bulletin import Bulletin, Unit, Volume

PERCENT = "0.0%"
CHANGE = "+0.0%;-0.0%;0.0%"
DECIMAL = "0.0"
INTEGER = "#,##0"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="DDE6F4", end_color="DDE6F4")
_TITLE_FONT = Font(bold=True, size=14)
_FORMAT_OF_KIND = {COUNT: INTEGER, RATE: PERCENT, DAYS: DECIMAL}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def render_xlsx(bulletin: Bulletin) -> bytes:
    """The workbook as bytes (the caller writes it where it belongs)."""
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook has its first sheet  # noqa: S101
    _summary_sheet(summary, bulletin)
    _volume_sheet(book, _("Channels"), _("Channel"), bulletin.channels, chart=True)
    _volume_sheet(book, _("Request types"), _("Request type"), bulletin.request_types, chart=False)
    _volume_sheet(book, _("Top categories"), _("Category"), bulletin.categories, chart=True, rank=True)
    _daily_sheet(book, bulletin)
    if bulletin.units:
        _unit_sheet(book, _("By area"), bulletin.unit_title or _("Area"), bulletin.units, bulletin)
    _unit_sheet(book, _("Departments"), _("Department"), bulletin.departments, None, detail=_("Area served"))
    _ranking_sheet(book, bulletin)
    _notable_sheet(book, bulletin)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# --- Sheets ---------------------------------------------------------------------------------------------------------


def _summary_sheet(sheet: Worksheet, bulletin: Bulletin) -> None:
    sheet.title = _sheet_title(_("Summary"))
    sheet["A1"] = bulletin.title
    sheet["A1"].font = _TITLE_FONT
    meta = [
        (_("Area"), bulletin.area_name),
        (_("Period"), bulletin.period.label),
        (_("Compared with"), bulletin.previous.label),
        (_("Generated at"), bulletin.generated_at.replace(tzinfo=None)),
    ]
    for offset, (label, value) in enumerate(meta, start=2):
        sheet.cell(offset, 1, label).font = _HEADER_FONT
        cell = sheet.cell(offset, 2, value)
        if offset == 5:
            cell.number_format = DATETIME
            cell.alignment = Alignment(horizontal="left")
    header_row = 7
    _header(
        sheet, header_row, [_("Indicator"), _("This period"), _("Previous period"), _("Change vs. previous")]
    )
    for row, item in enumerate(bulletin.headline, start=header_row + 1):
        number_format = {"count": INTEGER, "rate": PERCENT, "days": DECIMAL}[item.kind]
        sheet.cell(row, 1, item.label)
        for column, value in ((2, item.value), (3, item.previous)):
            sheet.cell(row, column, value).number_format = number_format
        change = sheet.cell(row, 4, item.change)
        change.number_format = CHANGE if item.kind in ("count", "rate") else "+0.0;-0.0;0.0"
    note_row = header_row + len(bulletin.headline) + 2
    sheet.cell(
        note_row, 1, _("Rate changes are in percentage points; overdue now is counted when generated.")
    )
    sheet.freeze_panes = f"A{header_row + 1}"
    _fit_columns(sheet, minimum=12, skip_title=True)


def _volume_sheet(
    book: Workbook, title: str, what: str, volumes: Sequence[Volume], *, chart: bool, rank: bool = False
) -> None:
    sheet = book.create_sheet(_sheet_title(title))
    headers = [what, _("This period"), _("Previous period"), _("Change vs. previous"), _("Share")]
    if rank:
        headers.insert(0, _("Rank"))
    _header(sheet, 1, headers)
    first = 2 if rank else 1
    for row, volume in enumerate(volumes, start=2):
        if rank:
            sheet.cell(row, 1, row - 1)
        sheet.cell(row, first, volume.label)
        sheet.cell(row, first + 1, volume.count).number_format = INTEGER
        sheet.cell(row, first + 2, volume.previous).number_format = INTEGER
        sheet.cell(row, first + 3, volume.change).number_format = CHANGE
        sheet.cell(row, first + 4, volume.share).number_format = PERCENT
    sheet.freeze_panes = "A2"
    _fit_columns(sheet)
    if chart and volumes:
        bars = BarChart()
        bars.type = "col"
        bars.title = title
        bars.y_axis.title = _("Cases")
        data = Reference(sheet, min_col=first + 1, max_col=first + 2, min_row=1, max_row=len(volumes) + 1)
        labels = Reference(sheet, min_col=first, min_row=2, max_row=len(volumes) + 1)
        bars.add_data(data, titles_from_data=True)
        bars.set_categories(labels)
        bars.height, bars.width = 8, 16
        sheet.add_chart(bars, f"{get_column_letter(len(headers) + 2)}2")


def _daily_sheet(book: Workbook, bulletin: Bulletin) -> None:
    sheet = book.create_sheet(_sheet_title(_("Daily volumes")))
    _header(sheet, 1, [_("Date"), _("Cases")])
    for row, day in enumerate(bulletin.daily, start=2):
        sheet.cell(row, 1, day.day).number_format = DATE
        sheet.cell(row, 2, day.count).number_format = INTEGER
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, minimum=12)
    if bulletin.daily:
        line = LineChart()
        line.title = _("Cases per day")
        line.y_axis.title = _("Cases")
        line.add_data(
            Reference(sheet, min_col=2, min_row=1, max_row=len(bulletin.daily) + 1), titles_from_data=True
        )
        line.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(bulletin.daily) + 1))
        line.height, line.width = 8, 18
        sheet.add_chart(line, "D2")


def _unit_sheet(
    book: Workbook,
    title: str,
    what: str,
    units: Sequence[Unit],
    bulletin: Bulletin | None,
    *,
    detail: str | None = None,
) -> None:
    sheet = book.create_sheet(_sheet_title(title))
    headers = [what] + ([detail] if detail else []) + [str(column.label) for column in UNIT_COLUMNS]
    _header(sheet, 1, headers)
    first = 3 if detail else 2
    rows: list[tuple[list[Any], Any]] = [
        ([unit.label] + ([unit.detail] if detail else []), unit.figures) for unit in units
    ]
    if bulletin is not None:  # areas do not overlap: the whole area closes the table
        rows.append(([_("Whole area")], bulletin.figures))
    for row, (names, figures) in enumerate(rows, start=2):
        for column, name in enumerate(names, start=1):
            sheet.cell(row, column, name)
        for offset, column_def in enumerate(UNIT_COLUMNS):
            cell = sheet.cell(row, first + offset, column_def.value(figures))
            cell.number_format = _FORMAT_OF_KIND[column_def.kind]
        if bulletin is not None and row == len(rows) + 1:
            for column in range(1, len(headers) + 1):
                sheet.cell(row, column).font = _HEADER_FONT
    sheet.freeze_panes = f"{get_column_letter(first)}2"
    _fit_columns(sheet)


def _ranking_sheet(book: Workbook, bulletin: Bulletin) -> None:
    sheet = book.create_sheet(_sheet_title(_("Lagging units")))
    _header(sheet, 1, [_("List"), _("Rank"), _("Unit"), _("Value"), _("Due"), _("Received")])
    row = 2
    for ranking in bulletin.rankings:
        column_def = RANKING_COLUMN[ranking.metric]
        for rank, unit in enumerate(ranking.units, start=1):
            sheet.cell(row, 1, ranking.title)
            sheet.cell(row, 2, rank)
            sheet.cell(row, 3, unit.label)
            sheet.cell(row, 4, column_def.value(unit.figures)).number_format = _FORMAT_OF_KIND[
                column_def.kind
            ]
            sheet.cell(row, 5, unit.figures.due).number_format = INTEGER
            sheet.cell(row, 6, unit.figures.received).number_format = INTEGER
            row += 1
    sheet.freeze_panes = "A2"
    _fit_columns(sheet)


def _notable_sheet(book: Workbook, bulletin: Bulletin) -> None:
    sheet = book.create_sheet(_sheet_title(_("Notable cases")))
    _header(
        sheet,
        1,
        [
            _("List"),
            _("Case number"),
            _("Title"),
            _("Place"),
            _("Category"),
            _("Status"),
            _("Reported at"),
            _("Note"),
        ],
    )
    row = 2
    for group in bulletin.notable:
        for case in group.cases:
            values = [
                group.title,
                case.number,
                case.title,
                case.place,
                case.category,
                case.status,
                case.reported_at.replace(tzinfo=None),
                case.note,
            ]
            for column, value in enumerate(values, start=1):
                sheet.cell(row, column, value)
            sheet.cell(row, 7).number_format = DATETIME
            row += 1
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, maximum=40)


# --- Helpers --------------------------------------------------------------------------------------------------------


def _header(sheet: Worksheet, row: int, labels: Iterable[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row, column, str(label))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _sheet_title(title: str) -> str:
    """Excel refuses some characters in sheet names and more than 31 of them."""
    return _SHEET_FORBIDDEN.sub(" ", str(title))[:31]


def _display_width(value: Any) -> int:
    """Roughly how many character cells a value takes (CJK characters count two)."""
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    text = str(value)
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _fit_columns(sheet: Worksheet, *, minimum: int = 8, maximum: int = 50, skip_title: bool = False) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.row == 1 and skip_title:
                continue  # the title spans the row
            width = _display_width(cell.value)
            if cell.is_date:
                width = 16
            widths[cell.column] = max(widths.get(cell.column, 0), width)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(maximum, max(minimum, width + 2))
