"""Reading an uploaded work-order file: CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16) or XLSX.

The format is recognised by content, not by the file name: an XLSX file is a ZIP archive. XLSX sheets are read
with openpyxl in read-only mode (rows are streamed, not loaded at once) and ``data_only`` (a formula cell gives
the value Excel last computed, never the formula). Rows keep the number a spreadsheet shows (the first row is
row 1), so a problem can be reported where the user will look for it. The legacy binary ``.xls`` format is
refused with a hint to save the file as XLSX or CSV.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from gridgov.intake.imports.mapping import header_score

#: Rows looked at to find the header row (exports often put a title and a date range above it).
HEADER_SEARCH_ROWS = 10
#: An XLSX file may unpack to at most this many times the upload limit (a "ZIP bomb" is refused unread).
XLSX_MAX_RATIO = 30
CSV_DELIMITERS = ",\t;|"

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileUnreadable(ValueError):
    """The file cannot be read as a table; ``message`` says why in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_upload_bytes() -> int:
    return int(settings.GRIDGOV["MAX_UPLOAD_BYTES"])


@dataclass
class Sheet:
    """A table to import: ``rows()`` yields ``(row number, cells)`` from the top, empty rows included.

    ``kind`` is ``csv`` or ``xlsx``; ``encoding`` the text encoding a CSV file was read with.
    """

    kind: str
    name: str = ""
    encoding: str = ""
    _text: str = ""
    _delimiter: str = ","
    _data: bytes = b""
    _rows: list[list[Any]] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        if self.kind == "csv":
            reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self._delimiter)
            for number, cells in enumerate(reader, start=1):
                yield number, list(cells)
        elif self.kind == "xlsx":
            yield from _xlsx_rows(self._data)
        else:
            yield from enumerate((list(cells) for cells in self._rows), start=1)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]], name: str = "") -> Sheet:
        """A sheet from Python lists (the first one being the header row), for callers that have no file."""
        return cls(kind="rows", name=name, _rows=[list(row) for row in rows])


@dataclass(frozen=True)
class Header:
    row: int
    cells: list[str]


def is_blank(cells: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def locate_header(sheet: Sheet) -> Header:
    """The header row: among the first rows, the one naming the most known fields (the first non-empty one
    when none names two)."""
    best: Header | None = None
    best_score = 1
    first: Header | None = None
    for number, cells in sheet.rows():
        if number > HEADER_SEARCH_ROWS:
            break
        if is_blank(cells):
            continue
        header = Header(number, [str(cell).strip() if cell is not None else "" for cell in cells])
        first = first or header
        score = header_score(cells)
        if score > best_score:
            best, best_score = header, score
    found = best or first
    if found is None:
        raise FileUnreadable(_("The file is empty."))
    return found


def read_sheet(
    source: IO[bytes] | Path | str | bytes, *, name: str = "", max_bytes: int | None = None
) -> Sheet:
    """Open ``source`` (a path, an open binary file or bytes) as a sheet, or raise ``FileUnreadable``."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            if limit and path.stat().st_size > limit:
                raise FileUnreadable(_too_large(limit))
            data = path.read_bytes()
        except OSError as error:
            raise FileUnreadable(
                _("The file cannot be opened: %(error)s") % {"error": error.strerror}
            ) from error
    else:
        data = source.read(limit + 1 if limit else -1)
    if limit and len(data) > limit:
        raise FileUnreadable(_too_large(limit))
    if not data.strip():
        raise FileUnreadable(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        _check_xlsx(data, limit)
        return Sheet(kind="xlsx", name=name, _data=data)
    if data.startswith(XLS_MAGIC):
        raise FileUnreadable(
            _(
                "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV and upload it again."
            )
        )
    text, encoding = decode_text(data)
    return Sheet(kind="csv", name=name, encoding=encoding, _text=text, _delimiter=_sniff_delimiter(text))


def _too_large(limit: int) -> str:
    return _("The file is larger than %(size)s MB.") % {"size": f"{limit / (1024 * 1024):g}"}


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-16 with its BOM, UTF-8 (with or without BOM), else GB18030 (which covers GBK and
    GB2312, the encodings of Chinese Excel's "CSV" export)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, encoding
    raise FileUnreadable(
        _("The file is neither an Excel workbook (.xlsx) nor a CSV text file in UTF-8 or GB18030 (GBK).")
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first line with several columns the most (a header rarely contains one;
    a title line above the header has a single column and is passed over)."""
    lines = [line for line in text[:20000].splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    for line in lines:
        counts = {
            delimiter: len(next(csv.reader([line], delimiter=delimiter), [])) for delimiter in CSV_DELIMITERS
        }
        best = max(CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
        if counts[best] > 1:
            return best
    return ","


def _check_xlsx(data: bytes, limit: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise FileUnreadable(_("The Excel file is damaged and cannot be read.")) from error
    if "xl/workbook.xml" not in names:
        raise FileUnreadable(_("The file is a ZIP archive, not an Excel workbook (.xlsx)."))
    if limit and unpacked > limit * XLSX_MAX_RATIO:
        raise FileUnreadable(_("The Excel file unpacks to far more data than it holds; it is refused."))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileUnreadable(_("The Excel file is damaged and cannot be read.")) from error
    try:
        sheet = workbook.active or workbook.worksheets[0]
        # Exports from other programs often carry a wrong dimension; read the rows that are really there.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows, None)
            except Exception as error:  # a damaged sheet fails while it is streamed
                raise FileUnreadable(
                    _("The Excel file is damaged after row %(row)d and cannot be read further.")
                    % {"row": number}
                ) from error
            if cells is None:
                break
            number += 1
            yield number, list(cells)
    finally:
        workbook.close()
