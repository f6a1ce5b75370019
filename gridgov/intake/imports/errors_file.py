"""The bad rows of an import as a file to fix and upload again (CSV or XLSX).

Each line is one bad row: its row number in the uploaded file, the reasons, then the row's cells under the file's
own headers, so the corrected file imports with the same column mapping (the two extra columns are not mapped).
Every cell starting with ``=``, ``+``, ``-`` or ``@`` is written with a leading apostrophe: a spreadsheet opening
the file must not run a cell as a formula ("CSV injection"); the import drops the apostrophe again.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from gridgov.intake.imports.parsing import neutralise
from gridgov.intake.imports.service import ImportReport


def error_table(report: ImportReport) -> list[list[str]]:
    """The header line and one line per bad row, every cell neutralised."""
    lines = [[_("Row in the uploaded file"), _("Problems"), *report.headers]]
    for row, problems, cells in report.bad_rows():
        reasons = "; ".join(problem.reason for problem in problems)
        lines.append([str(row), reasons, *cells])
    return [[neutralise(cell) for cell in line] for line in lines]


def error_csv(report: ImportReport) -> bytes:
    """UTF-8 with a BOM, which Excel needs to show Chinese text from a CSV file."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(error_table(report))
    return buffer.getvalue().encode("utf-8-sig")


def error_xlsx(report: ImportReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rows to fix")[:31])
    for line in error_table(report):
        cells = []
        for value in line:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
