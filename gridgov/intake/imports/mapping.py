"""Which column of an imported file feeds which field of a report.

A mapping is ``{field: header}``: the field names are ours (``external_id``, ``text``, ``reported_at``…), the
headers are the file's own (``工单编号``, ``诉求内容``, ``来电时间``…). ``guess_mapping`` recognises the common
Chinese and English header names of hotline work-order exports (12345 and the like); the command's
``--map field=Header`` and the page's selects override it. ``resolve_columns`` turns a mapping into column
positions and says, in the user's language, what is wrong with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class FieldSpec:
    """One field a column can feed: its name, its label, whether a file must have it, the headers it goes by."""

    name: str
    label: StrOrPromise
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: StrOrPromise = ""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "external_id",
        gettext_lazy("Work-order number"),
        required=True,
        aliases=(
            "工单编号",
            "工单号",
            "工单编码",
            "工单id",
            "受理编号",
            "受理号",
            "来电编号",
            "诉求编号",
            "编号",
            "流水号",
            "external_id",
            "external id",
            "work order",
            "work order no",
            "work order number",
            "order id",
            "ticket",
            "ticket id",
            "id",
        ),
        help=gettext_lazy("Identifies the work order: importing the same file again adds nothing."),
    ),
    FieldSpec(
        "text",
        gettext_lazy("Description"),
        required=True,
        aliases=(
            "诉求内容",
            "来电内容",
            "反映内容",
            "问题描述",
            "诉求描述",
            "事件描述",
            "工单内容",
            "内容",
            "描述",
            "text",
            "description",
            "content",
            "details",
        ),
    ),
    FieldSpec(
        "title",
        gettext_lazy("Title"),
        aliases=("标题", "诉求标题", "工单标题", "事件标题", "title", "subject"),
    ),
    FieldSpec(
        "reported_at",
        gettext_lazy("Reported at"),
        aliases=(
            "来电时间",
            "受理时间",
            "登记时间",
            "上报时间",
            "反映时间",
            "创建时间",
            "诉求时间",
            "reported_at",
            "reported at",
            "received at",
            "date",
            "created",
        ),
        help=gettext_lazy("Empty column: the time of the import."),
    ),
    FieldSpec(
        "reporter_name",
        gettext_lazy("Reporter name"),
        aliases=(
            "来电人",
            "来电人姓名",
            "诉求人",
            "反映人",
            "联系人",
            "姓名",
            "reporter",
            "reporter name",
            "caller",
            "name",
        ),
    ),
    FieldSpec(
        "reporter_phone",
        gettext_lazy("Reporter phone"),
        aliases=(
            "来电号码",
            "联系电话",
            "联系方式",
            "来电电话",
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "phone",
            "telephone",
            "mobile",
            "reporter phone",
        ),
    ),
    FieldSpec(
        "address",
        gettext_lazy("Address"),
        aliases=("事发地址", "地址", "事发地点", "详细地址", "问题地址", "发生地址", "address", "location"),
    ),
    FieldSpec("lat", gettext_lazy("Latitude"), aliases=("纬度", "lat", "latitude")),
    FieldSpec("lon", gettext_lazy("Longitude"), aliases=("经度", "lon", "lng", "long", "longitude")),
    FieldSpec(
        "category",
        gettext_lazy("Category"),
        aliases=("问题分类", "事件分类", "分类", "类别", "问题类别", "事项分类", "category"),
        help=gettext_lazy("Our category code or its Chinese name; empty: triage suggests one."),
    ),
    FieldSpec(
        "request_type",
        gettext_lazy("Request type"),
        aliases=("诉求类型", "来电类型", "诉求类别", "request type", "request_type", "type"),
        help=gettext_lazy("咨询/求助/投诉/举报/建议/其他 or our codes."),
    ),
    FieldSpec(
        "grid",
        gettext_lazy("Grid"),
        aliases=("所属网格", "网格", "网格名称", "网格编码", "网格编号", "grid", "grid code"),
        help=gettext_lazy("The grid's code or name."),
    ),
    FieldSpec(
        "channel",
        gettext_lazy("Channel"),
        aliases=("来源渠道", "渠道", "来源", "受理渠道", "channel", "source channel"),
        help=gettext_lazy(
            "Hotline rows (热线/电话/12345) become hotline reports; the rest take the default."
        ),
    ),
    FieldSpec(
        "status",
        gettext_lazy("Status"),
        aliases=("工单状态", "办理状态", "处理状态", "状态", "status"),
        help=gettext_lazy(
            "Finished work orders (已办结…) are closed with the times in the file (reported, finished at)."
        ),
    ),
    FieldSpec(
        "resolved_at",
        gettext_lazy("Finished at"),
        aliases=(
            "办结时间",
            "完成时间",
            "结案时间",
            "办理完成时间",
            "resolved_at",
            "resolved at",
            "finished at",
            "closed at",
        ),
    ),
    FieldSpec(
        "result",
        gettext_lazy("Result"),
        aliases=(
            "办理结果",
            "处理结果",
            "办理情况",
            "处理情况",
            "答复内容",
            "回复内容",
            "result",
            "resolution",
        ),
    ),
)

FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
REQUIRED: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.required)

_DECORATION = re.compile(r"[\s\*＊:：_\-/\\]+|[（(](必填|选填|required|optional)[)）]", re.IGNORECASE)


def normalize_header(header: object) -> str:
    """``" 工单编号*（必填）"`` → ``"工单编号"``, ``"Work Order No."`` → ``"workorderno."``: what aliases are compared on."""
    text = unicodedata.normalize("NFKC", str(header or "")).replace("\ufeff", "").strip().lower()
    return _DECORATION.sub("", text)


_ALIASES: dict[str, str] = {}
for _spec in FIELDS:
    for _alias in _spec.aliases:
        _ALIASES.setdefault(normalize_header(_alias), _spec.name)


def field_for_header(header: object) -> str | None:
    """The field a header is known to mean, or None."""
    key = normalize_header(header)
    if not key:
        return None
    return _ALIASES.get(key) or _ALIASES.get(key.rstrip("."))


def header_score(cells: Iterable[object]) -> int:
    """How many distinct fields a row's cells name: finds the header row below a title row."""
    return len({field for cell in cells if (field := field_for_header(cell)) is not None})


def guess_mapping(headers: Sequence[object]) -> dict[str, str]:
    """The default mapping: every header we recognise, the first column winning when two mean the same field."""
    mapping: dict[str, str] = {}
    for header in headers:
        field = field_for_header(header)
        if field is not None and field not in mapping:
            mapping[field] = str(header).strip()
    return mapping


class MappingError(ValueError):
    """The mapping cannot be used with this file; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``["text=问题描述", "grid="]`` → ``{"text": "问题描述", "grid": ""}`` (an empty header unmaps the field)."""
    result: dict[str, str] = {}
    problems: list[str] = []
    for pair in pairs:
        field, sep, header = pair.partition("=")
        field = field.strip()
        if not sep:
            problems.append(_("“%(pair)s” is not of the form field=Header.") % {"pair": pair})
        elif field not in FIELDS_BY_NAME:
            problems.append(
                _("Unknown field “%(field)s”; the fields are: %(fields)s.")
                % {"field": field, "fields": ", ".join(FIELD_NAMES)}
            )
        else:
            result[field] = header.strip()
    if problems:
        raise MappingError(problems)
    return result


def merge_mapping(base: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """``base`` with ``overrides`` applied; fields overridden with an empty header are dropped."""
    merged = dict(base)
    for field, header in overrides.items():
        if header:
            merged[field] = header
        else:
            merged.pop(field, None)
    return merged


def _find_column(header: str, headers: Sequence[object]) -> int | None:
    wanted = header.strip()
    for index, cell in enumerate(headers):
        if str(cell if cell is not None else "").strip() == wanted:
            return index
    key = normalize_header(wanted)
    for index, cell in enumerate(headers):
        if key and normalize_header(cell) == key:
            return index
    return None


def resolve_columns(mapping: Mapping[str, str], headers: Sequence[object]) -> dict[str, int]:
    """``{field: column index}`` for ``mapping`` against the file's header row, or ``MappingError``."""
    problems: list[str] = []
    columns: dict[str, int] = {}
    for field, header in mapping.items():
        if field not in FIELDS_BY_NAME:
            problems.append(_("Unknown field “%(field)s”.") % {"field": field})
            continue
        if not header:
            continue
        index = _find_column(header, headers)
        if index is None:
            problems.append(
                _("The file has no column “%(header)s” (for %(field)s).")
                % {"header": header, "field": FIELDS_BY_NAME[field].label}
            )
        else:
            columns[field] = index
    for field in REQUIRED:
        if field not in mapping or not mapping[field]:
            problems.append(
                _("Choose the column of the %(field)s: it is required.")
                % {"field": FIELDS_BY_NAME[field].label}
            )
    if ("lat" in columns) != ("lon" in columns):
        problems.append(_("Choose the columns of both the latitude and the longitude, or of neither."))
    used: dict[int, str] = {}
    for field, index in columns.items():
        if index in used:
            problems.append(
                _("The column “%(header)s” is chosen for both %(first)s and %(second)s.")
                % {
                    "header": str(headers[index]).strip(),
                    "first": FIELDS_BY_NAME[used[index]].label,
                    "second": FIELDS_BY_NAME[field].label,
                }
            )
        used[index] = field
    if problems:
        raise MappingError(problems)
    return columns
