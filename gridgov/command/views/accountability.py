"""Command-center pages: accountability (行政问效).

``accountability``: for the viewed area and period, one table per kind of unit (areas one level down, towns,
villages, grids, grid workers, departments) with every count and indicator of ``selectors.indicators``, sortable
by any of them with rank numbers, a total and a remainder for the area kinds, and the same table as CSV or Excel.
``accountability_cases``: the cases behind one number of that table (``indicators.cases_behind``), so every
number can be checked. Both need ``Verb.VIEW_ANALYSIS`` on the area (``command_page``); department handlers do not
see them, even for their own department (their queue shows their cases). Neither page shows personal data: no
reporter, phone, address or description, only numbers, case numbers, titles and categories.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant
from gridgov.cases.choices import CaseStatus
from gridgov.cases.models import Case
from gridgov.command.periods import Period
from gridgov.command.selectors.areas import available_kinds
from gridgov.command.selectors.indicators import (
    AREA_KINDS,
    AVERAGE_DAYS_FORMULA,
    COUNT_HELP,
    COUNTS,
    INDICATORS,
    REST,
    UNIT_KINDS,
    Figures,
    Indicator,
    cases_behind,
    table_and_rest,
    unit_areas,
)
from gridgov.command.templatetags.command_tags import percent
from gridgov.command.views.common import command_page, login_required
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Department
from gridgov.geo.models import Area

#: Cases per page of a drill-through list.
PAGE_SIZE = 50
#: The only fields a drill-through list reads (no reporter, phone, address or description).
LISTED_FIELDS = (
    "number",
    "title",
    "status",
    "reported_at",
    "resolved_at",
    "accept_by",
    "resolve_by",
    "category__name",
    "category__name_en",
)

COUNT = "count"
RATE = "rate"
DAYS = "days"
ASC = "asc"
DESC = "desc"
EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    """A column of the table: a count of ``COUNTS``, an indicator of ``INDICATORS`` or the average days."""

    key: str
    label: Promise
    kind: str  # COUNT, RATE or DAYS
    help: Promise
    indicator: Indicator | None = None

    def value(self, figures: Figures) -> int | float | None:
        if self.kind == COUNT:
            return int(getattr(figures, self.key))
        if self.kind == RATE:
            return figures.rate(self.key)
        return figures.average_days

    def text(self, value: int | float | None) -> str:
        if self.kind == COUNT:
            return str(value)
        if self.kind == RATE:
            return percent(value)
        return "—" if value is None else f"{value:.1f}"


def _columns() -> list[Column]:
    """Each indicator right after its numerator; the denominators that are no other column's numerator first."""
    count = {key: Column(key, label, COUNT, COUNT_HELP[key]) for key, label in COUNTS.items()}
    rate = {i.key: Column(i.key, i.label, RATE, i.formula, i) for i in INDICATORS}
    days = Column("average_days", gettext_lazy("Average working days"), DAYS, AVERAGE_DAYS_FORMULA)
    return [
        count["received"],
        count["responded_on_time"],
        rate["response_rate"],
        count["resolved"],
        rate["resolution_rate"],
        count["due"],
        count["resolved_on_time"],
        rate["on_time_rate"],
        count["dispatched"],
        count["returned"],
        rate["return_rate"],
        count["reworked"],
        rate["rework_rate"],
        count["rateable"],
        count["rated"],
        rate["rating_rate"],
        count["satisfied"],
        rate["satisfaction_rate"],
        days,
        count["overdue_now"],
    ]


COLUMNS = _columns()
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


# --- The table ----------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    column: Column
    value: int | float | None
    text: str
    url: str = ""  # counts: the drill-through
    numerator: Cell | None = None  # rates: the two counts, linked
    denominator: Cell | None = None


@dataclass
class Line:
    """One line of the rendered table: a unit, the total, or the remainder."""

    label: str
    detail: str
    cells: list[Cell]
    rank: int | None = None
    link: str = ""  # an area unit: its own accountability page
    role: str = "unit"  # "unit", "total" or "rest"
    key: str = ""


@dataclass
class Table:
    kind: str
    lines: list[Line]
    total: Line | None = None
    rest: Line | None = None
    sort: str = ""
    direction: str = DESC
    columns: list[Column] = field(default_factory=lambda: COLUMNS)


def drill_url(area: Area, period: Period, kind: str, key: str, count: str, table_kind: str) -> str:
    """The drill-through page of one number: the cases behind count ``count`` of unit ``kind``/``key``."""
    return _drill_prefix(area, period, kind, key, table_kind) + quote(count)


def _drill_prefix(area: Area, period: Period, kind: str, key: str, table_kind: str) -> str:
    """``drill_url`` up to the count (a table builds a few thousand links: the common part is built once a line)."""
    query = {"area": area.code, **period.query(), "kind": kind, "key": key}
    if table_kind != kind:  # the total and the remainder say which table they belong to (for the way back)
        query["table"] = table_kind
    return f"{reverse('command:accountability_cases')}?{urlencode(query)}&count="


def _line(
    figures: Figures, *, area: Area, period: Period, kind: str, key: str, table_kind: str, **extra: Any
) -> Line:
    prefix = _drill_prefix(area, period, kind, key, table_kind)
    cells: list[Cell] = []
    by_count: dict[str, Cell] = {}
    for column in COLUMNS:
        value = column.value(figures)
        cell = Cell(column, value, column.text(value))
        if column.kind == COUNT:
            cell.url = prefix + column.key
            by_count[column.key] = cell
        cells.append(cell)
    for cell in cells:
        if cell.column.indicator is not None:
            cell.numerator = by_count[cell.column.indicator.numerator]
            cell.denominator = by_count[cell.column.indicator.denominator]
    return Line(cells=cells, key=key, **extra)


def build_table(
    kind: str,
    area: Area,
    period: Period,
    *,
    sort: str = "",
    direction: str = DESC,
    now: datetime | None = None,
) -> Table:
    """The rendered table: lines (sorted and ranked when ``sort`` names a column), total and remainder."""
    rows, rest = table_and_rest(kind, area, period, now=now or timezone.now())
    page_url = reverse("command:accountability")
    lines = []
    for row in rows:
        link = ""
        if kind in AREA_KINDS:
            link = f"{page_url}?{urlencode({'area': row.key, **period.query()})}"
        lines.append(
            _line(
                row.figures,
                area=area,
                period=period,
                kind=kind,
                key=row.key,
                table_kind=kind,
                label=row.label,
                detail=row.detail,
                link=link,
            )
        )
    result = Table(kind=kind, lines=lines)
    if sort in COLUMN_BY_KEY:
        result.lines, result.sort, result.direction = rank(lines, sort, direction), sort, direction
    if rest is not None:  # areas do not overlap: the total is the whole area (rows + remainder)
        total = Figures()
        for row in rows:
            total.add(row.figures)
        total.add(rest)
        result.total = _line(
            total, area=area, period=period, kind="area", key=area.code, table_kind=kind,
            label=_("Total"), detail=area.name, role="total",
        )  # fmt: skip
        if any(getattr(rest, key) for key in COUNTS):
            result.rest = _line(
                rest, area=area, period=period, kind=REST, key=kind, table_kind=kind,
                label=_("Not located in any of these units"),
                detail=_("e.g. reported to the center without a place in a grid"), role="rest",
            )  # fmt: skip
    return result


def rank(lines: list[Line], sort: str, direction: str) -> list[Line]:
    """Order the lines by the column ``sort`` (lines without a value last, in their natural order) and number
    them: equal values share a rank (1, 2, 2, 4)."""
    index = [column.key for column in COLUMNS].index(sort)
    with_value = [line for line in lines if line.cells[index].value is not None]
    without = [line for line in lines if line.cells[index].value is None]
    with_value.sort(key=lambda line: line.cells[index].value or 0, reverse=direction == DESC)
    previous: object = None
    for position, line in enumerate(with_value, start=1):
        value = line.cells[index].value
        line.rank = position if position == 1 or value != previous else with_value[position - 2].rank
        previous = value
    for line in without:
        line.rank = None
    return with_value + without


# --- Pages --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def accountability(request: HttpRequest) -> HttpResponse:
    page = command_page(request)
    area, period = page.area, page.period
    kinds = available_kinds(area)
    kind = request.GET.get("kind") or kinds[0]
    errors = []
    if kind not in kinds:
        errors.append(
            _("“%(kind)s” is not a kind of unit of this area; showing %(default)s.")
            % {"kind": kind, "default": UNIT_KINDS[kinds[0]]}
        )
        kind = kinds[0]
    sort = request.GET.get("sort", "")
    if sort and sort not in COLUMN_BY_KEY:
        errors.append(_("The table cannot be sorted by “%(sort)s”.") % {"sort": sort})
        sort = ""
    direction = ASC if request.GET.get("dir") == ASC else DESC
    built = build_table(kind, area, period, sort=sort, direction=direction)
    export = request.GET.get("format", "")
    if export in EXPORT_FORMATS:
        return _export(built, area, period, export)
    base = {"area": area.code, **period.query()}
    here = {**base, "kind": kind}
    headers = [
        {
            "column": column,
            "url": "?"
            + urlencode(
                {**here, "sort": column.key, "dir": ASC if sort == column.key and direction == DESC else DESC}
            ),
            "sorted": column.key == sort,
        }
        for column in COLUMNS
    ]
    context = page.context(
        command_tab="accountability",
        show_period_picker=True,
        table=built,
        kind=kind,
        kind_label=UNIT_KINDS[kind],
        kinds=[(key, UNIT_KINDS[key], "?" + urlencode({**base, "kind": key})) for key in kinds],
        headers=headers,
        natural_url="?" + urlencode(here),
        sort_label=COLUMN_BY_KEY[sort].label if sort else "",
        aria_sort="ascending" if direction == ASC else "descending",
        export_urls={
            fmt: "?" + urlencode({**here, **_sort_query(sort, direction), "format": fmt})
            for fmt in EXPORT_FORMATS
        },
        glossary_counts=[(COUNTS[key], COUNT_HELP[key]) for key in COUNTS],
        glossary_indicators=[(i.label, i.formula) for i in INDICATORS],
        average_days_formula=AVERAGE_DAYS_FORMULA,
        errors=errors,
        sort=sort,
        direction=direction,
    )
    return render(request, "command/accountability.html", context)


def _sort_query(sort: str, direction: str) -> dict[str, str]:
    return {"sort": sort, "dir": direction} if sort else {}


def _unit_label(kind: str, key: str, area: Area) -> str:
    """The name of the unit a drill-through is about; 404 when there is no such unit in ``area``."""
    if kind == "area":
        unit = area if key == area.code else Area.objects.filter(code=key, path__startswith=area.path).first()
        if unit is None:
            raise Http404
        return unit.name
    if kind == REST:
        if key not in AREA_KINDS:
            raise Http404
        return _("%(area)s: not located in any of the %(kind)s") % {
            "area": area.name,
            "kind": str(UNIT_KINDS[key]).lower(),
        }
    if kind in AREA_KINDS:
        unit = unit_areas(kind, area).filter(code=key).first()
        if unit is None:
            raise Http404
        return unit.name
    if not key.isdigit():
        raise Http404
    if kind == "worker":
        grant = (
            RoleGrant.objects.filter(
                role=Role.GRID_WORKER, user_id=int(key), area__path__startswith=area.path
            )
            .select_related("user")
            .first()
        )
        if grant is None:
            raise Http404
        return grant.user.display_name
    if kind == "department":
        department = Department.objects.filter(pk=int(key)).first()
        if department is None:
            raise Http404
        return department.name
    raise Http404


@login_required
@require_GET
def accountability_cases(request: HttpRequest) -> HttpResponse:
    page = command_page(request)
    area, period = page.area, page.period
    kind, key, count = (request.GET.get(name, "") for name in ("kind", "key", "count"))
    table_kind = request.GET.get("table") or kind
    back = {"area": area.code, **period.query()}
    if table_kind in UNIT_KINDS:
        back["kind"] = table_kind
    back_url = f"{reverse('command:accountability')}?{urlencode(back)}"
    if not (kind or key or count):  # the frame's area trail and period links: back to the table
        return redirect(back_url)
    if count not in COUNTS:
        raise Http404
    unit = _unit_label(kind, key, area)
    try:
        cases = cases_behind(kind, key, area, period, count, now=timezone.now())
    except (ValueError, ObjectDoesNotExist):
        raise Http404 from None
    listed: QuerySet[Case] = cases.select_related("category").only(*LISTED_FIELDS)
    ordering = ["-reported_at", "-pk", "assignment_id"] if kind == "department" else ["-reported_at", "-pk"]
    paginator = Paginator(listed.order_by(*ordering), PAGE_SIZE)
    cases_page = paginator.get_page(request.GET.get("page"))
    lines = [ListedCase.of(case, kind) for case in cases_page.object_list]
    indicators_of_count = [i for i in INDICATORS if count in (i.numerator, i.denominator)]
    context = page.context(
        command_tab="accountability",
        show_period_picker=True,
        unit=unit,
        kind=kind,
        key=key,
        count=count,
        count_label=COUNTS[count],
        count_help=COUNT_HELP[count],
        indicators_of_count=indicators_of_count,
        is_department=kind == "department",
        cases_page=cases_page,
        lines=lines,
        total=paginator.count,
        back_url=back_url,
        extra_query={"kind": kind, "key": key, "count": count, "table": table_kind},
    )
    return render(request, "command/accountability_cases.html", context)


@dataclass(frozen=True)
class ListedCase:
    """A line of a drill-through list: the case, the deadline of its stage and, on a department's list, the
    assignment the line stands for."""

    case: Case
    deadline: datetime | None
    assignment_role: str = ""
    assignment_status: str = ""
    assigned_at: datetime | None = None

    @classmethod
    def of(cls, case: Case, kind: str) -> ListedCase:
        deadline = case.accept_by if case.status == CaseStatus.REPORTED else case.resolve_by
        if kind != "department":
            return cls(case, deadline)
        role, status = getattr(case, "assignment_role", ""), getattr(case, "assignment_status", "")
        return cls(
            case,
            deadline,
            assignment_role=str(AssignmentRole(role).label),
            assignment_status=str(AssignmentStatus(status).label),
            assigned_at=getattr(case, "assigned_at", None),
        )


# --- Export -------------------------------------------------------------------------------------------------------


def _header() -> list[str]:
    return [_("Rank"), _("Unit"), _("Detail"), *(str(column.label) for column in COLUMNS)]


def _export_lines(built: Table) -> list[Line]:
    return [*built.lines, *(line for line in (built.rest, built.total) if line is not None)]


def _filename(built: Table, area: Area, period: Period, extension: str) -> str:
    return f"accountability-{area.code}-{built.kind}-{period.slug}.{extension}"


def _safe(text: str) -> str:
    """Names are data: a cell that a spreadsheet would read as a formula is quoted."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _export(built: Table, area: Area, period: Period, export: str) -> HttpResponse:
    """The table as CSV (the numbers as the page writes them) or Excel (counts, rates as 0…1 with a percent
    format, days with one decimal): the same numbers as the page."""
    title = f"{area.name} · {UNIT_KINDS[built.kind]} · {period.label}"
    if export == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([title])
        writer.writerow(_header())
        for line in _export_lines(built):
            writer.writerow(
                [
                    line.rank or "",
                    _safe(line.label),
                    _safe(line.detail),
                    *(cell.text for cell in line.cells),
                ]
            )
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )  # BOM: Excel reads UTF-8
    else:
        response = HttpResponse(
            _xlsx(built, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    extension = "csv" if export == "csv" else "xlsx"
    response["Content-Disposition"] = f'attachment; filename="{_filename(built, area, period, extension)}"'
    return response


def _xlsx(built: Table, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = str(_("Accountability"))[:31]
    sheet.append([title])
    sheet.append(_header())
    bold = Font(bold=True)
    for cell in sheet[2]:
        cell.font = bold
    for line in _export_lines(built):
        sheet.append([line.rank, line.label, line.detail, *(cell.value for cell in line.cells)])
        for offset, cell in enumerate(line.cells, start=4):
            if cell.column.kind == RATE:
                sheet.cell(row=sheet.max_row, column=offset).number_format = "0.0%"
            elif cell.column.kind == DAYS:
                sheet.cell(row=sheet.max_row, column=offset).number_format = "0.0"
        if line.role == "total":
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    sheet.freeze_panes = "D3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


urlpatterns: list[URLPattern] = [
    path("", accountability, name="accountability"),
    path("cases/", accountability_cases, name="accountability_cases"),
]
