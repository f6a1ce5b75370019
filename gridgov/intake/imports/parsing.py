"""Turning the cells of a work-order file into values: dates in the many shapes exports use, numbers, the
request type in Chinese or as our code, the channel and the "finished" statuses.

Each parser raises ``ValueError`` for a value it cannot read; the import turns that into a row problem that
quotes the value and names the column as the file names it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gridgov.cases.choices import Channel, RequestType

#: Cells the error file starts with one of these are written with a leading apostrophe (so that no spreadsheet
#: runs them as a formula); reading such a cell back drops the apostrophe again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0`` (Excel stores 20261003001 as a float), dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    text = str(value).replace("\ufeff", "").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]
    return text


def neutralise(text: str) -> str:
    """A cell for a file people open in a spreadsheet: ``=HYPERLINK(…)`` becomes the text ``'=HYPERLINK(…)``."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


_DATETIME = re.compile(
    r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:[T\s]*(?P<ampm>上午|下午)?\s*(?P<H>\d{1,2})[:时点](?P<M>\d{1,2})分?"
    r"(?::(?P<S>\d{1,2})(?:\.\d+)?|(?P<S2>\d{1,2})秒)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _aware(value: datetime) -> datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _from_parts(parts: dict[str, str | None]) -> datetime:
    result = datetime(
        int(parts["y"] or 0),
        int(parts["m"] or 0),
        int(parts["d"] or 0),
        int(parts.get("H") or 0),
        int(parts.get("M") or 0),
        int(parts.get("S") or parts.get("S2") or 0),
    )
    offset = parts.get("tz")
    if offset:
        if offset.upper() == "Z":
            return result.replace(tzinfo=UTC)
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return result.replace(tzinfo=timezone.get_fixed_timezone(sign * delta))
    return _aware(result)


def parse_datetime(value: Any) -> datetime:
    """Read a date and time as exports write them, in the local time zone unless the value names its own.

    ``2026-10-03 09:14``, ``2026/10/3 9:14:00``, ``2026年10月3日 9时14分``, ``2026-10-03T09:14:00+08:00``,
    ``20261003091400``, a date alone (midnight), an Excel date cell or an Excel serial number.
    """
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return _aware(datetime.combine(value, time()))
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and len(str(int(number))) in (8, 12, 14):
            return parse_datetime(str(int(number)))
        if 1 <= number < 2958466:  # Excel serial days (1900 system), up to the year 9999
            return _aware(_EXCEL_EPOCH + timedelta(days=number)).replace(microsecond=0)
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        raise ValueError(value)
    match = _COMPACT.match(text) or _DATETIME.match(text)
    if match is None:
        raise ValueError(value)
    parts = match.groupdict()
    result = _from_parts(parts)
    if parts.get("ampm") == "下午" and result.hour < 12:
        result += timedelta(hours=12)
    return result


def parse_float(value: Any) -> float | None:
    """A number, or None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().rstrip("°")
    return float(text)


def _key(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip().lower()


REQUEST_TYPE_WORDS: dict[str, str] = {
    "咨询": RequestType.CONSULTATION,
    "求助": RequestType.HELP,
    "求决": RequestType.HELP,
    "投诉": RequestType.COMPLAINT,
    "举报": RequestType.TIP_OFF,
    "建议": RequestType.SUGGESTION,
    "意见建议": RequestType.SUGGESTION,
    "其他": RequestType.OTHER,
    "其它": RequestType.OTHER,
    "request for help": RequestType.HELP,
    "help": RequestType.HELP,
    "report of a violation": RequestType.TIP_OFF,
    "tip-off": RequestType.TIP_OFF,
}


def parse_request_type(value: str) -> str:
    """``咨询``/``咨询类``/``consultation``/``Consultation`` → ``consultation``; ``ValueError`` for anything else."""
    key = _key(value)
    if key in RequestType.values:
        return key
    for candidate in (key, key.removesuffix("类")):
        if candidate in REQUEST_TYPE_WORDS:
            return REQUEST_TYPE_WORDS[candidate]
    for code, label in RequestType.choices:
        if key == str(label).lower():
            return str(code)
    raise ValueError(value)


HOTLINE_WORDS = frozenset(
    {"热线", "电话", "来电", "12345", "12345热线", "市民热线", "hotline", "phone", "telephone"}
)
IMPORT_WORDS = frozenset({"导入", "import"})


def parse_channel(value: str, default: str) -> str:
    """Hotline rows become hotline reports; everything else (web, WeChat, app…) takes ``default``."""
    key = _key(value)
    if key in HOTLINE_WORDS or key == Channel.HOTLINE:
        return Channel.HOTLINE
    if key in IMPORT_WORDS:
        return Channel.IMPORT
    return default


FINISHED_WORDS = frozenset(
    {
        "已办结",
        "办结",
        "已完成",
        "完成",
        "已结案",
        "结案",
        "已关闭",
        "关闭",
        "已归档",
        "归档",
        "办结归档",
        "已回访",
        "resolved",
        "closed",
        "done",
        "completed",
        "finished",
    }
)


def is_finished(value: str) -> bool:
    """Does a status cell say the work order was finished (已办结, 已结案, closed…)?"""
    return _key(value) in FINISHED_WORDS
