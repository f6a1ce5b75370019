"""Reading work-order files: encodings, delimiters, XLSX streaming, formula cells, limits, row numbers; and the
error file offered for download (no database)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import pytest
from django.utils import translation

from gridgov.intake.imports.errors_file import error_csv, error_table, error_xlsx
from gridgov.intake.imports.reader import FileUnreadable, decode_text, locate_header, read_sheet
from gridgov.intake.imports.service import ImportReport, RowProblem
from gridgov.intake.tests.import_support import csv_bytes, xlsx_bytes

ROWS = [
    ["工单编号", "诉求内容", "来电时间"],
    ["A1", "路灯不亮，晚上很黑", "2026-10-03 09:14"],
    ["A2", "噪音𠀀扰民", ""],
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rows_of(data: bytes, **kwargs) -> list[tuple[int, list]]:
    return list(read_sheet(data, **kwargs).rows())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_encodings_are_detected(encoding):
    rows = ROWS if encoding not in ("gbk",) else [[cell.replace("𠀀", "") for cell in row] for row in ROWS]
    sheet = read_sheet(csv_bytes(rows, encoding=encoding))
    assert sheet.kind == "csv"
    assert [cells for _n, cells in sheet.rows()] == rows
    assert sheet.encoding == {"utf-8": "utf-8-sig", "gbk": "gb18030"}.get(encoding, encoding)


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters_are_detected(delimiter):
    assert [cells for _n, cells in rows_of(csv_bytes(ROWS, delimiter=delimiter))] == ROWS


def test_csv_row_numbers_are_the_spreadsheets_even_with_blank_and_multiline_rows():
    data = b'h1,h2\r\n"a\r\nb",x\r\n\r\nc,y\r\n'
    assert rows_of(data) == [(1, ["h1", "h2"]), (2, ["a\r\nb", "x"]), (3, []), (4, ["c", "y"])]


def test_undecodable_text_is_refused():
    with pytest.raises(FileUnreadable):
        decode_text(b"\x81\x30\xff\x00 binary")


def test_xlsx_is_streamed_with_row_numbers_and_a_title_row():
    data = xlsx_bytes([ROWS[0], [], ROWS[1]], title_row="12345工单导出")
    sheet = read_sheet(data, name="x.xlsx")
    assert sheet.kind == "xlsx"
    header = locate_header(sheet)
    assert header.row == 2
    assert header.cells == ROWS[0]
    rows = dict(sheet.rows())
    assert rows[3] == []
    assert rows[4][:2] == ["A1", "路灯不亮，晚上很黑"]


def test_xlsx_formula_cells_are_read_as_their_values():
    data = xlsx_bytes([["工单编号", "诉求内容"], ["A1", "=1+1"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # What Excel writes: the formula and the value it last computed.
                content = content.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
            target.writestr(item, content)
    rows = dict(read_sheet(buffer.getvalue()).rows())
    assert rows[2] == ["A1", 2]


def test_xlsx_date_cells_come_as_datetimes():
    rows = dict(read_sheet(xlsx_bytes([["a"], [datetime(2026, 10, 3, 9, 14)]])).rows())
    assert rows[2] == [datetime(2026, 10, 3, 9, 14)]


def test_size_limit(settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "MAX_UPLOAD_BYTES": 100}
    with pytest.raises(FileUnreadable, match="larger than"):
        read_sheet(b"a,b\n" * 50)
    assert read_sheet(b"a,b\n" * 50, max_bytes=0).kind == "csv"


def test_old_excel_zip_and_empty_files_are_refused(tmp_path):
    with pytest.raises(FileUnreadable, match=r"\.xls"):
        read_sheet(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("readme.txt", "hello")
    with pytest.raises(FileUnreadable, match="not an Excel workbook"):
        read_sheet(archive.getvalue())
    with pytest.raises(FileUnreadable, match="damaged"):
        read_sheet(b"PK\x03\x04 not really a zip")
    with pytest.raises(FileUnreadable, match="empty"):
        read_sheet(b"  \r\n")
    with pytest.raises(FileUnreadable, match="empty"):
        locate_header(read_sheet(b",,\r\n,,\r\n"))
    with pytest.raises(FileUnreadable, match="cannot be opened"):
        read_sheet(tmp_path / "missing.csv")


def test_a_zip_bomb_is_refused_unread(settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "MAX_UPLOAD_BYTES": 10_000}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/workbook.xml", "<workbook/>")
        target.writestr("xl/worksheets/sheet1.xml", " " * 1_000_000)
    assert len(archive.getvalue()) < 10_000
    with pytest.raises(FileUnreadable, match="unpacks"):
        read_sheet(archive.getvalue())


# --- The error file ----------------------------------------------------------------------------------------------


def bad_report() -> ImportReport:
    return ImportReport(
        source="12345",
        headers=["工单编号", "诉求内容", "来电时间"],
        problems=[
            RowProblem(3, "reported_at", "来电时间", "来电时间 '2026-13-01' is not a valid date."),
            RowProblem(3, "text", "诉求内容", "诉求内容 is empty."),
            RowProblem(5, "external_id", "工单编号", "=cmd|' /C calc'!A0"),
        ],
        bad_cells={3: ["A3", "", "2026-13-01"], 5: ['=HYPERLINK("http://x")', "+86 138", "@SUM(A1)"]},
    )


def test_error_table_has_one_line_per_row_and_neutralised_cells():
    table = error_table(bad_report())
    assert table[0] == ["Row in the uploaded file", "Problems", "工单编号", "诉求内容", "来电时间"]
    assert table[1] == [
        "3",
        "来电时间 '2026-13-01' is not a valid date.; 诉求内容 is empty.",
        "A3",
        "",
        "2026-13-01",
    ]
    assert table[2] == ["5", "'=cmd|' /C calc'!A0", '\'=HYPERLINK("http://x")', "'+86 138", "'@SUM(A1)"]


def test_error_csv_is_utf8_with_bom_and_xlsx_has_text_cells_only():
    data = error_csv(bad_report())
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[2][2] == '\'=HYPERLINK("http://x")'

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(error_xlsx(bad_report()))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2][2] == '\'=HYPERLINK("http://x")'
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value is not None)


def test_error_file_reimports_with_the_same_mapping():
    """The two extra columns are not recognised, the apostrophes are dropped on reading."""
    sheet = read_sheet(error_xlsx(bad_report()))
    header = locate_header(sheet)
    assert header.cells[2:] == ["工单编号", "诉求内容", "来电时间"]
    from gridgov.intake.imports.mapping import guess_mapping
    from gridgov.intake.imports.parsing import cell_text

    assert guess_mapping(header.cells) == {
        "external_id": "工单编号",
        "text": "诉求内容",
        "reported_at": "来电时间",
    }
    rows = dict(sheet.rows())
    assert cell_text(rows[3][3]) == "+86 138"
