"""The bulletin's Excel workbook and PDF, the files under REPORT_DIR, and ``gridgov bulletin``."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl import load_workbook

from gridgov.command.periods import Period
from gridgov.command.reports import generate_bulletin
from gridgov.command.reports.excel import render_xlsx
from gridgov.command.reports.files import period_from_slug, stored_bulletins, stored_file, write_atomically
from gridgov.command.reports.pdf import render_pdf
from gridgov.command.selectors.bulletin import build_bulletin
from gridgov.command.tests.test_bulletin_data import NOVEMBER, NOW, make_bulletin_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulletin_data(town):
    return make_bulletin_data(town)


@pytest.fixture
def report_dir(settings, tmp_path):
    settings.GRIDGOV = {**settings.GRIDGOV, "REPORT_DIR": str(tmp_path / "reports")}
    return tmp_path / "reports"


@pytest.fixture
def town1(bulletin_data):
    return bulletin_data.town.region.towns[0]


# --- Excel ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def workbook(town1):
    with translation.override("en"):
        content = render_xlsx(build_bulletin(town1, NOVEMBER, now=NOW))
    return load_workbook(io.BytesIO(content))


def test_workbook_sheets(workbook):
    assert workbook.sheetnames == [
        "Summary",
        "Channels",
        "Request types",
        "Top categories",
        "Daily volumes",
        "By area",
        "Departments",
        "Lagging units",
        "Notable cases",
    ]


def test_summary_sheet(workbook):
    sheet = workbook["Summary"]
    assert sheet["A1"].value == "Monthly bulletin of 测试镇1"
    assert [sheet.cell(row, 2).value for row in range(2, 5)] == ["测试镇1", "2026-11", "2026-10"]
    assert [c.value for c in sheet[7]][:4] == [
        "Indicator",
        "This period",
        "Previous period",
        "Change vs. previous",
    ]
    rows = {sheet.cell(r, 1).value: (sheet.cell(r, 2).value, sheet.cell(r, 3).value) for r in range(8, 14)}
    assert rows == {
        "Cases received": (5, 3),
        "Response rate": (0.6, 1.0),
        "On-time resolution rate": (pytest.approx(1 / 3), 1.0),
        "Satisfaction rate": (0.5, 1.0),
        "Average handling time (working days)": (6.5, 2.0),
        "Overdue now": (2, None),
    }
    assert sheet.cell(9, 2).number_format == "0.0%"
    assert sheet.cell(12, 2).number_format == "0.0"
    assert sheet.freeze_panes == "A8"


def test_volume_sheets_and_chart(workbook):
    sheet = workbook["Channels"]
    assert [c.value for c in sheet[1]] == [
        "Channel",
        "This period",
        "Previous period",
        "Change vs. previous",
        "Share",
    ]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["Resident web page", 2, 1, 1.0, 0.4],
        ["Hotline", 2, 2, 0.0, 0.4],
        ["Grid worker patrol", 1, 0, None, 0.2],
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["E2"].number_format == "0.0%"
    assert sheet.column_dimensions["A"].width > 10
    assert len(sheet._charts) == 1  # openpyxl keeps the charts it read here
    categories = workbook["Top categories"]
    assert [c.value for c in categories["B"]][1:] == [
        "Roads and traffic",
        "Sanitation",
        "Not yet categorised",
    ]
    assert [c.value for c in categories["C"]][1:] == [3, 1, 1]
    daily = workbook["Daily volumes"]
    assert daily.max_row == 31
    assert daily["A2"].value.date() == date(2026, 11, 1)
    assert sum(daily.cell(r, 2).value for r in range(2, 32)) == 5
    assert len(daily._charts) == 1


def test_unit_sheets(workbook):
    areas = workbook["By area"]
    assert [c.value for c in areas[1]] == [
        "Village / community",
        "Received",
        "Response rate",
        "Resolved",
        "On-time rate",
        "Rework rate",
        "Satisfaction",
        "Avg. days",
        "Overdue now",
    ]
    assert [c.value for c in areas["A"]][1:] == ["测试村1-1", "测试村1-2", "Whole area"]
    assert [c.value for c in areas[4]] == ["Whole area", 5, 0.6, 2, pytest.approx(1 / 3), 0.4, 0.5, 6.5, 2]
    assert areas["E2"].number_format == "0.0%"
    assert areas.freeze_panes == "B2"
    departments = workbook["Departments"]
    assert [(r[0].value, r[1].value, r[2].value) for r in departments.iter_rows(min_row=2)] == [
        ("测试镇1建设办", "测试镇1", 2),
        ("测试镇1司法所", "测试镇1", 1),
    ]
    lagging = workbook["Lagging units"]
    assert [(r[1].value, r[2].value, r[3].value) for r in lagging.iter_rows(min_row=2)] == [
        (1, "测试镇1司法所", 1),
        (1, "测试村1-1", 1),
        (2, "测试村1-2", 1),
        (1, "测试镇1司法所", 0.0),
        (2, "测试镇1建设办", 0.5),
        (1, "测试村1-1", pytest.approx(1 / 3)),
    ]


def test_notable_sheet_has_no_personal_data(workbook):
    sheet = workbook["Notable cases"]
    numbers = [c.value for c in sheet["B"]][1:]
    assert numbers == ["N3", "N2", "N4", "N3", "O1", "N3", "N5"]
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert "张三" not in text and "13800000000" not in text and "幸福路" not in text


def test_workbook_headers_are_chinese_by_default(town1, report_dir, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("en"):  # the page's language does not matter: files use the site's
        files = generate_bulletin(town1, NOVEMBER, now=NOW)
    book = load_workbook(files.xlsx)
    with translation.override("zh-hans"):
        sheets = [translation.gettext("Summary"), translation.gettext("Channels")]
        title = translation.gettext("Monthly bulletin of %(area)s") % {"area": "测试镇1"}
    assert book.sheetnames[:2] == sheets
    assert book.worksheets[0]["A1"].value == title
    assert book[sheets[1]]["A1"].value == "渠道"
    assert "热线" in [c.value for c in book[sheets[1]]["A"]]


# --- PDF ----------------------------------------------------------------------------------------------------------------


def _pdf_strings(content: bytes) -> str:
    """The text shown with the CID font (UTF-16BE in PDF string literals), joined: enough to find a name."""
    shown = []
    for literal in re.findall(rb"\(((?:[^\\()]|\\.)*)\)\s*Tj", content, flags=re.S):
        raw = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: bytes([int(m[1], 8)])
            if m[1][:1].isdigit()
            else {b"n": b"\n", b"r": b"\r"}.get(m[1], m[1]),
            literal,
            flags=re.S,
        )
        if len(raw) % 2 == 0:
            shown.append(raw.decode("utf-16-be", errors="replace"))
    return "".join(shown)


@pytest.fixture
def pdf(town1):
    with translation.override("en"):
        return render_pdf(build_bulletin(town1, NOVEMBER, now=NOW), compress=False)


def test_pdf_is_a_valid_document(pdf):
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"startxref" in pdf and b"xref" in pdf and b"trailer" in pdf
    pages = re.findall(rb"/Type /Page\b", pdf)
    count = int(re.search(rb"/Type /Pages /Count (\d+)|/Count (\d+)", pdf).group(0).split()[-1])
    assert len(pages) == count >= 2
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4


def test_pdf_uses_the_cid_font_and_shows_the_area_name(pdf):
    assert b"/BaseFont /STSong-Light" in pdf
    assert b"/Encoding /UniGB-UCS2-H" in pdf
    shown = _pdf_strings(pdf)
    assert "测试镇1" in shown
    assert "Monthly bulletin of 测试镇1" in shown
    assert "N3 路灯不亮" in shown
    assert "张三" not in shown and "13800000000" not in shown


def test_pdf_is_the_same_for_the_same_bulletin(town1):
    bulletin = build_bulletin(town1, NOVEMBER, now=NOW)
    assert render_pdf(bulletin) == render_pdf(bulletin)


def test_pdf_of_an_empty_area(town):
    content = render_pdf(build_bulletin(town.region.towns[1], NOVEMBER, now=NOW), compress=False)
    assert content.startswith(b"%PDF") and "测试镇2" in _pdf_strings(content)


# --- Files --------------------------------------------------------------------------------------------------------------


def test_generate_writes_both_files_and_rewrites_them(town1, report_dir):
    files = generate_bulletin(town1, NOVEMBER, now=NOW)
    assert files.xlsx == report_dir / "320612100" / "month-2026-11.xlsx"
    assert files.pdf == report_dir / "320612100" / "month-2026-11.pdf"
    first = files.pdf.read_bytes()
    again = generate_bulletin(town1, NOVEMBER, now=NOW)
    assert again == files
    assert files.pdf.read_bytes() == first
    assert sorted(p.name for p in (report_dir / "320612100").iterdir()) == [
        "month-2026-11.pdf",
        "month-2026-11.xlsx",
    ]


def test_write_atomically_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a" / "b.pdf"
    write_atomically(target, b"one")
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["b.pdf"]


def test_stored_bulletins_and_safe_names(town1, report_dir):
    generate_bulletin(town1, NOVEMBER, now=NOW)
    generate_bulletin(town1, Period.containing("week", date(2026, 11, 25)), now=NOW)
    (report_dir / "320612100" / ".month-2026-12.pdf.x.tmp").write_bytes(b"half")
    (report_dir / "320612100" / "notes.txt").write_text("x")
    (report_dir / "secret.pdf").write_bytes(b"x")
    listed = stored_bulletins("320612100")
    assert [(b.slug, [f.extension for f in b.ordered_files]) for b in listed] == [
        ("week-2026-W48", ["xlsx", "pdf"]),
        ("month-2026-11", ["xlsx", "pdf"]),
    ]
    assert (
        stored_file("320612100", "month-2026-11.pdf")
        == (report_dir / "320612100" / "month-2026-11.pdf").resolve()
    )
    for area, name in [
        ("320612100", "../secret.pdf"),
        ("320612100", "notes.txt"),
        ("320612100", "month-2026-12.pdf"),
        ("..", "secret.pdf"),
        ("320612100/..", "secret.pdf"),
    ]:
        assert stored_file(area, name) is None


def test_period_from_slug_inverts_slug():
    for period in [
        Period.containing("month", date(2026, 11, 5)),
        Period.containing("week", date(2026, 12, 31)),
        Period.containing("week", date(2027, 1, 1)),
        Period.containing("day", date(2026, 2, 28)),
        Period.containing("year", date(2026, 6, 1)),
        Period("range", date(2026, 11, 1), date(2026, 11, 16)),
    ]:
        assert period_from_slug(period.slug) == period
    assert period_from_slug("month-2026-13") is None
    assert period_from_slug("week-2026-W60") is None


# --- The command --------------------------------------------------------------------------------------------------------


def _run(*args):
    out = io.StringIO()
    call_command("bulletin", *args, "--language", "en", stdout=out)
    return out.getvalue()


def test_command_writes_the_named_area(town1, report_dir):
    out = _run("--area", "320612100", "--period", "month", "--date", "2026-11-15")
    folder = report_dir / "320612100"
    assert out.splitlines() == [
        f"测试镇1 2026-11: wrote {folder / 'month-2026-11.xlsx'}",
        f"测试镇1 2026-11: wrote {folder / 'month-2026-11.pdf'}",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["month-2026-11.pdf", "month-2026-11.xlsx"]
    assert load_workbook(folder / "month-2026-11.xlsx").worksheets[0]["B2"].value == "测试镇1"
    # rerun: the same two files, replaced
    _run("--area", "320612100", "--period", "month", "--date", "2026-11-15")
    assert sorted(p.name for p in folder.iterdir()) == ["month-2026-11.pdf", "month-2026-11.xlsx"]


def test_command_previous_is_the_last_complete_period(town1, report_dir, monkeypatch):
    _run("--area", "320612100", "--period", "month", "--date", "2026-12-01", "--previous")
    _run("--area", "320612100", "--period", "week", "--date", "2026-12-03", "--previous")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 30))  # a Monday
    _run("--area", "320612100", "--period", "week", "--previous")
    assert sorted(p.name for p in (report_dir / "320612100").iterdir()) == [
        "month-2026-11.pdf",
        "month-2026-11.xlsx",
        "week-2026-W48.pdf",  # 23–29 November, the week before 3 December's
        "week-2026-W48.xlsx",
    ]


def test_command_default_areas_are_towns_and_districts_with_cases(bulletin_data, report_dir):
    _run("--period", "month", "--date", "2026-11-15")
    assert sorted(p.name for p in report_dir.iterdir()) == ["320612", "320612100", "320612101"]
    _run("--period", "month", "--date", "2026-09-15")  # no case in September
    assert not (report_dir / "320612" / "month-2026-09.pdf").exists()
    _run("--all", "--period", "month", "--date", "2026-09-15")
    assert (report_dir / "320612101" / "month-2026-09.pdf").exists()


def test_command_refuses_unknown_area_and_bad_date(town1, report_dir):
    with pytest.raises(CommandError, match="No such area: 999"):
        _run("--area", "999")
    with pytest.raises(CommandError, match="is not a date"):
        _run("--date", "2026-13-01")


def test_command_prints_chinese_by_default(town1, report_dir):
    out = io.StringIO()
    call_command("bulletin", "--area", "320612100", "--date", "2026-11-15", stdout=out)
    with translation.override("zh-hans"):
        expected = translation.gettext("%(area)s %(period)s: wrote %(path)s") % {
            "area": "测试镇1",
            "period": NOVEMBER.label,
            "path": report_dir / "320612100" / "month-2026-11.xlsx",
        }
    assert out.getvalue().splitlines()[0] == expected
