"""Column mapping of imported files and the parsing of their cells (no database)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from gridgov.cases.choices import Channel, RequestType
from gridgov.intake.imports.mapping import (
    MappingError,
    field_for_header,
    guess_mapping,
    merge_mapping,
    normalize_header,
    parse_overrides,
    resolve_columns,
)
from gridgov.intake.imports.parsing import (
    cell_text,
    is_finished,
    neutralise,
    parse_channel,
    parse_datetime,
    parse_float,
    parse_request_type,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


EXPORT_12345 = [
    "序号",
    "工单编号",
    "受理时间",
    "来电人",
    "联系电话",
    "诉求内容",
    "诉求类型",
    "事发地址",
    "所属网格",
    "工单状态",
    "办结时间",
    "办理结果",
]


def test_default_mapping_recognises_a_12345_export():
    assert guess_mapping(EXPORT_12345) == {
        "external_id": "工单编号",
        "reported_at": "受理时间",
        "reporter_name": "来电人",
        "reporter_phone": "联系电话",
        "text": "诉求内容",
        "request_type": "诉求类型",
        "address": "事发地址",
        "grid": "所属网格",
        "status": "工单状态",
        "resolved_at": "办结时间",
        "result": "办理结果",
    }


def test_default_mapping_recognises_english_headers_and_decorations():
    headers = ["Work Order No.", "Description", "Reported at", "Phone", "Latitude", "Longitude", "Category"]
    assert guess_mapping(headers) == {
        "external_id": "Work Order No.",
        "text": "Description",
        "reported_at": "Reported at",
        "reporter_phone": "Phone",
        "lat": "Latitude",
        "lon": "Longitude",
        "category": "Category",
    }
    assert normalize_header("\ufeff 工单编号*（必填）") == "工单编号"
    assert field_for_header("来电号码") == "reporter_phone"
    assert field_for_header("不相干") is None


def test_first_column_wins_when_two_mean_the_same_field():
    assert guess_mapping(["联系电话", "手机", "诉求内容"])["reporter_phone"] == "联系电话"


def test_overrides_replace_add_and_remove_columns():
    overrides = parse_overrides(["text=问题描述", "grid=", "title = 标题 "])
    assert overrides == {"text": "问题描述", "grid": "", "title": "标题"}
    merged = merge_mapping({"text": "诉求内容", "grid": "所属网格", "external_id": "工单编号"}, overrides)
    assert merged == {"text": "问题描述", "external_id": "工单编号", "title": "标题"}
    with pytest.raises(MappingError) as error:
        parse_overrides(["colour=颜色", "text"])
    assert len(error.value.problems) == 2
    assert "Unknown field “colour”" in error.value.problems[0]


def test_resolve_columns_finds_positions_and_explains_problems():
    assert resolve_columns({"external_id": "工单编号", "text": "诉求内容"}, EXPORT_12345) == {
        "external_id": 1,
        "text": 5,
    }
    with pytest.raises(MappingError) as error:
        resolve_columns({"text": "诉求内容", "lat": "纬度", "title": "诉求内容"}, EXPORT_12345)
    problems = error.value.problems
    assert "The file has no column “纬度” (for Latitude)." in problems
    assert "Choose the column of the Work-order number: it is required." in problems
    assert "Choose the columns of both the latitude and the longitude, or of neither." not in problems
    assert any("chosen for both" in problem for problem in problems)


def test_resolve_columns_wants_both_coordinates():
    headers = ["工单编号", "诉求内容", "纬度"]
    with pytest.raises(MappingError) as error:
        resolve_columns({"external_id": "工单编号", "text": "诉求内容", "lat": "纬度"}, headers)
    assert error.value.problems == [
        "Choose the columns of both the latitude and the longitude, or of neither."
    ]


# --- Dates -------------------------------------------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute, second))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-03 09:14", local(2026, 10, 3, 9, 14)),
        ("2026/10/3 9:14:00", local(2026, 10, 3, 9, 14)),
        ("2026/10/3 9:14", local(2026, 10, 3, 9, 14)),
        ("2026-10-03 09:14:07.0", local(2026, 10, 3, 9, 14, 7)),
        ("2026.10.03", local(2026, 10, 3)),
        ("2026-10-03", local(2026, 10, 3)),
        ("2026年10月3日 9时14分", local(2026, 10, 3, 9, 14)),
        ("2026年10月3日下午3点05分", local(2026, 10, 3, 15, 5)),
        ("2026年10月3日", local(2026, 10, 3)),
        ("２０２６－１０－０３　０９：１４", local(2026, 10, 3, 9, 14)),  # full-width
        ("20261003091400", local(2026, 10, 3, 9, 14)),
        ("202610030914", local(2026, 10, 3, 9, 14)),
        ("20261003", local(2026, 10, 3)),
        (20261003091400, local(2026, 10, 3, 9, 14)),
        (20261003091400.0, local(2026, 10, 3, 9, 14)),
        (Decimal("20261003"), local(2026, 10, 3)),
        (datetime(2026, 10, 3, 9, 14), local(2026, 10, 3, 9, 14)),  # an Excel date cell
        (date(2026, 10, 3), local(2026, 10, 3)),
        (46298.384722222225, local(2026, 10, 3, 9, 14)),  # an Excel serial number
    ],
)
def test_parse_datetime_reads_the_shapes_exports_use(value, expected):
    assert parse_datetime(value) == expected


def test_parse_datetime_keeps_an_explicit_offset():
    assert parse_datetime("2026-10-03T01:14:00Z") == local(2026, 10, 3, 9, 14)
    assert parse_datetime("2026-10-03T09:14:00+08:00") == local(2026, 10, 3, 9, 14)


@pytest.mark.parametrize(
    "value",
    [
        "2026-13-01",
        "2026-02-30",
        "2026-10-03 25:00",
        "昨天",
        "",
        "03/10/2026",
        "20261340",
        True,
        -5,
        "2026-10",
    ],
)
def test_parse_datetime_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_datetime(value)


# --- Other cells -------------------------------------------------------------------------------------------------


def test_cell_text():
    assert cell_text(None) == ""
    assert cell_text(13812345678.0) == "13812345678"
    assert cell_text(1.5) == "1.5"
    assert cell_text(" A001 ") == "A001"
    assert cell_text(Decimal("42")) == "42"
    assert cell_text("'=1+1") == "=1+1"  # the apostrophe of our own error file goes again
    assert cell_text("'abc") == "'abc"


def test_neutralise_prefixes_formula_starts():
    assert [neutralise(v) for v in ["=HYPERLINK(1)", "+86 138", "-5", "@SUM", "正常", ""]] == [
        "'=HYPERLINK(1)",
        "'+86 138",
        "'-5",
        "'@SUM",
        "正常",
        "",
    ]


def test_parse_float():
    assert parse_float("32.1") == 32.1
    assert parse_float(" 120.9° ") == 120.9
    assert parse_float("") is None
    assert parse_float(None) is None
    with pytest.raises(ValueError):
        parse_float("北纬32度")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("咨询", RequestType.CONSULTATION),
        ("咨询类", RequestType.CONSULTATION),
        ("求助", RequestType.HELP),
        ("求决", RequestType.HELP),
        ("投诉", RequestType.COMPLAINT),
        ("举报", RequestType.TIP_OFF),
        ("建议", RequestType.SUGGESTION),
        ("其它", RequestType.OTHER),
        ("complaint", RequestType.COMPLAINT),
        ("Request for help", RequestType.HELP),
        ("TIP_OFF", RequestType.TIP_OFF),
    ],
)
def test_parse_request_type(value, expected):
    assert parse_request_type(value) == expected


def test_parse_request_type_refuses_the_unknown():
    with pytest.raises(ValueError):
        parse_request_type("表扬")


def test_channel_and_finished_words():
    assert parse_channel("12345热线", Channel.IMPORT) == Channel.HOTLINE
    assert parse_channel("电话", Channel.IMPORT) == Channel.HOTLINE
    assert parse_channel("微信", Channel.IMPORT) == Channel.IMPORT
    assert parse_channel("导入", Channel.HOTLINE) == Channel.IMPORT
    assert is_finished("已办结") and is_finished(" Closed ")
    assert not is_finished("处理中") and not is_finished("")
