"""The bulletin as a printable A4 PDF: title block, headline numbers, tables and charts (reportlab).

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe's Song with the UniGB-UCS2-H encoding): the
PDF names the font and the reader supplies the glyphs, so no font file is shipped or downloaded and air-gapped
machines render it as well. ``compress=False`` leaves the page streams readable (the tests look inside them).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import (
    HorizontalBarChart,
    VerticalBarChart,
)
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from gridgov.command.reports.tables import (
    RANKING_COLUMN,
    UNIT_COLUMNS,
    figure_cells,
    format_value,
    unit_cells,
)
from gridgov.command.selectors.bulletin import Bulletin, Volume

FONT = "STSong-Light"
#: The PDF lists this many departments (the busiest); the Excel file has them all.
PDF_DEPARTMENTS = 20

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
ACCENT = colors.HexColor("#1a5fb4")
HEADER_BACKGROUND = colors.HexColor("#dde6f4")
RULE = colors.HexColor("#99a3b3")


def register_font() -> str:
    """Register the CID font once per process; returns its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15, alignment=TA_CENTER),
        "meta": ParagraphStyle(
            "meta", parent=base, fontSize=8, leading=11, alignment=TA_CENTER, textColor=RULE
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4, textColor=ACCENT
        ),
    }


def render_pdf(bulletin: Bulletin, *, compress: bool = True) -> bytes:
    """The PDF as bytes; the same bulletin gives the same bytes (invariant mode: no random ids or timestamps)."""
    register_font()
    styles = _styles()
    stream = io.BytesIO()
    document = SimpleDocTemplate(
        stream,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{bulletin.title} {bulletin.period.label}",
        author=_("GridGov"),
        subject=bulletin.area_name,
        invariant=1,
        pageCompression=1 if compress else 0,
    )
    footer = f"{bulletin.title} | {bulletin.period.label}"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(RULE)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, footer)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN, MARGIN - 2 * mm, _("Page %(number)d") % {"number": doc.page}
        )
        canvas.restoreState()

    document.build(_story(bulletin, styles), onFirstPage=on_page, onLaterPages=on_page)
    return stream.getvalue()


# --- The story ------------------------------------------------------------------------------------------------------


def _story(bulletin: Bulletin, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_escape(bulletin.title), styles["title"]),
        Paragraph(
            _escape(
                _("%(period)s (compared with %(previous)s)")
                % {"period": bulletin.period.label, "previous": bulletin.previous.label}
            ),
            styles["subtitle"],
        ),
        Paragraph(
            _escape(
                _("%(area)s (%(level)s), generated at %(moment)s")
                % {
                    "area": bulletin.area_name,
                    "level": bulletin.area_level,
                    "moment": bulletin.generated_at.strftime("%Y-%m-%d %H:%M"),
                }
            ),
            styles["meta"],
        ),
        Spacer(1, 4 * mm),
        _headline_table(bulletin, styles),
        Paragraph(
            _escape(_("Rate changes are in percentage points; overdue now is counted when generated.")),
            styles["small"],
        ),
    ]

    story += _section(_("Cases per day"), styles, [_daily_chart(bulletin)])
    story += _section(
        _("Volumes by channel and request type"),
        styles,
        [
            _volume_table(_("Channel"), bulletin.channels, styles),
            Spacer(1, 3 * mm),
            _volume_table(_("Request type"), bulletin.request_types, styles),
        ],
    )
    story += _section(
        _("Top categories"),
        styles,
        [
            _category_chart(bulletin),
            Spacer(1, 2 * mm),
            _volume_table(_("Category"), bulletin.categories, styles),
        ],
    )
    if bulletin.units:
        story += _section(
            _("By %(level)s") % {"level": bulletin.unit_title}, styles, [_unit_table(bulletin, styles)]
        )
    story += _section(_("Lagging units"), styles, _ranking_tables(bulletin, styles))
    story += _section(_("Departments"), styles, _department_table(bulletin, styles))
    story += _section(_("Notable cases"), styles, _notable_tables(bulletin, styles))
    return story


def _section(title: str, styles: dict[str, ParagraphStyle], body: Sequence[Flowable]) -> list[Flowable]:
    heading = Paragraph(_escape(title), styles["heading"])
    if not body:
        return [heading]
    return [CondPageBreak(40 * mm), KeepTogether([heading, body[0]]), *body[1:]]


def _table(
    rows: list[list[Any]], widths: Sequence[float], *, align_from: int = 1, total_row: bool = False
) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("ALIGN", (align_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    table.setStyle(TableStyle(commands))
    return table


def _headline_table(bulletin: Bulletin, styles: dict[str, ParagraphStyle]) -> Table:
    labels = [Paragraph(_escape(item.label), styles["cell"]) for item in bulletin.headline]
    values = []
    for item in bulletin.headline:
        kind = {"count": "count", "rate": "rate", "days": "days"}[item.kind]
        values.append(format_value(item.value, kind))
    changes = [_("vs. previous: %(change)s") % {"change": item.change_text} for item in bulletin.headline]
    width = WIDTH / len(bulletin.headline)
    table = Table([labels, values, changes], colWidths=[width] * len(bulletin.headline))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 1), (-1, 1), 16),
                ("LEADING", (0, 1), (-1, 1), 20),
                ("TEXTCOLOR", (0, 1), (-1, 1), ACCENT),
                ("FONTSIZE", (0, 2), (-1, 2), 7),
                ("TEXTCOLOR", (0, 2), (-1, 2), RULE),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
            ]
        )
    )
    return table


def _volume_table(what: str, volumes: Sequence[Volume], styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [
        [what, _("This period"), _("Previous period"), _("Change vs. previous"), _("Share")]
    ]
    for volume in volumes:
        rows.append(
            [
                Paragraph(_escape(volume.label), styles["cell"]),
                str(volume.count),
                str(volume.previous),
                volume.change_text,
                format_value(volume.share, "rate"),
            ]
        )
    if len(rows) == 1:
        rows.append([_("No cases"), "0", "0", "—", "—"])
    return _table(rows, [70 * mm, 27 * mm, 27 * mm, 28 * mm, 28 * mm])


def _unit_widths(first: float) -> list[float]:
    rest = (WIDTH - first) / len(UNIT_COLUMNS)
    return [first] + [rest] * len(UNIT_COLUMNS)


def _unit_header(what: str) -> list[str]:
    return [what] + [str(column.label) for column in UNIT_COLUMNS]


def _unit_table(bulletin: Bulletin, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [_unit_header(bulletin.unit_title)]
    for unit in bulletin.units:
        rows.append([Paragraph(_escape(unit.label), styles["cell"]), *unit_cells(unit)])
    rows.append([_("Whole area"), *figure_cells(bulletin.figures)])
    return _table(rows, _unit_widths(36 * mm), total_row=True)


def _department_table(bulletin: Bulletin, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not bulletin.departments:
        return [Paragraph(_escape(_("No department received a case in this period.")), styles["body"])]
    rows: list[list[Any]] = [_unit_header(_("Department"))]
    for unit in bulletin.departments[:PDF_DEPARTMENTS]:
        rows.append([Paragraph(_escape(unit.label), styles["cell"]), *unit_cells(unit)])
    flowables: list[Flowable] = [_table(rows, _unit_widths(36 * mm))]
    if len(bulletin.departments) > PDF_DEPARTMENTS:
        flowables.append(
            Paragraph(
                _escape(
                    _("The %(shown)d busiest of %(total)d departments; the Excel file lists them all.")
                    % {"shown": PDF_DEPARTMENTS, "total": len(bulletin.departments)}
                ),
                styles["small"],
            )
        )
    return flowables


def _ranking_tables(bulletin: Bulletin, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flowables: list[Flowable] = []
    for ranking in bulletin.rankings:
        column = RANKING_COLUMN[ranking.metric]
        flowables.append(Paragraph(_escape(ranking.title), styles["body"]))
        if not ranking.units:
            flowables.append(Paragraph(_escape(_("None.")), styles["small"]))
            continue
        rows: list[list[Any]] = [[_("Rank"), _("Unit"), str(column.label), _("Due"), _("Received")]]
        for rank, unit in enumerate(ranking.units, start=1):
            rows.append(
                [
                    str(rank),
                    Paragraph(_escape(unit.label), styles["cell"]),
                    format_value(column.value(unit.figures), column.kind),
                    str(unit.figures.due),
                    str(unit.figures.received),
                ]
            )
        table = _table(rows, [12 * mm, 78 * mm, 30 * mm, 30 * mm, 30 * mm], align_from=2)
        flowables += [table, Spacer(1, 2 * mm)]
    return flowables


def _notable_tables(bulletin: Bulletin, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flowables: list[Flowable] = []
    for group in bulletin.notable:
        flowables.append(
            Paragraph(
                _escape(_("%(title)s (%(total)d)") % {"title": group.title, "total": group.total}),
                styles["body"],
            )
        )
        if not group.cases:
            flowables.append(Paragraph(_escape(_("None.")), styles["small"]))
            continue
        rows: list[list[Any]] = [[_("Case number"), _("Title"), _("Place"), _("Status"), _("Note")]]
        for case in group.cases:
            rows.append(
                [
                    case.number,
                    Paragraph(_escape(case.title), styles["cell"]),
                    Paragraph(_escape(case.place), styles["cell"]),
                    case.status,
                    Paragraph(_escape(case.note), styles["cell"]),
                ]
            )
        flowables += [
            _table(rows, [36 * mm, 56 * mm, 44 * mm, 18 * mm, 26 * mm], align_from=5),
            Spacer(1, 2 * mm),
        ]
    return flowables


# --- Charts ---------------------------------------------------------------------------------------------------------


def _empty_chart(height: float) -> Drawing:
    drawing = Drawing(WIDTH, height)
    drawing.add(String(WIDTH / 2, height / 2, _("No cases"), fontName=FONT, fontSize=9, textAnchor="middle"))
    return drawing


def _daily_chart(bulletin: Bulletin) -> Drawing:
    """Bars of the cases reported each day, labelled with the day of the month (thinned on long periods)."""
    height = 55 * mm
    if not any(day.count for day in bulletin.daily):
        return _empty_chart(height)
    drawing = Drawing(WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = WIDTH - 16 * mm, height - 16 * mm
    chart.data = [[day.count for day in bulletin.daily]]
    step = max(1, len(bulletin.daily) // 31)
    chart.categoryAxis.categoryNames = [
        (f"{day.day.month}/{day.day.day}" if bulletin.period.days > 7 else day.day.strftime("%m-%d"))
        if index % step == 0
        else ""
        for index, day in enumerate(bulletin.daily)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 45 if len(bulletin.daily) > 10 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(bulletin.daily) > 10 else "n"
    _count_axis(chart.valueAxis, max(day.count for day in bulletin.daily))
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barSpacing = 0.5
    drawing.add(chart)
    return drawing


def _category_chart(bulletin: Bulletin) -> Drawing:
    """Horizontal bars of the top categories, this period beside the previous one."""
    categories = list(reversed(bulletin.categories))  # the chart draws from the bottom up
    height = max(38 * mm, (18 + 7 * len(categories)) * mm)
    if not categories:
        return _empty_chart(30 * mm)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 40 * mm, 8 * mm
    chart.width, chart.height = WIDTH - 64 * mm, height - 20 * mm  # the legend sits above
    chart.data = [[c.previous for c in categories], [c.count for c in categories]]
    chart.categoryAxis.categoryNames = [c.label for c in categories]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    _count_axis(chart.valueAxis, max(max(c.count, c.previous) for c in categories))
    chart.bars[0].fillColor = colors.HexColor("#b8c7e0")
    chart.bars[1].fillColor = ACCENT
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    # the legend, under the chart's right end: a swatch and a label per series
    for index, (label, colour) in enumerate(
        ((_("This period"), ACCENT), (_("Previous period"), colors.HexColor("#b8c7e0")))
    ):
        x = WIDTH - 16 * mm
        y = height - (4 + 4 * index) * mm
        drawing.add(Rect(x - 4 * mm, y, 3 * mm, 2.5 * mm, fillColor=colour, strokeColor=None))
        drawing.add(String(x, y + 0.3 * mm, label, fontName=FONT, fontSize=7))
    return drawing


def _count_axis(axis: Any, largest: int) -> None:
    """A value axis of whole numbers from 0, with at most about five steps."""
    step = max(1, math.ceil(largest / 5))
    axis.valueMin = 0
    axis.valueMax = max(step, math.ceil(largest / step) * step)
    axis.valueStep = step
    axis.labels.fontName = FONT
    axis.labels.fontSize = 7
    axis.labelTextFormat = "%d"


def _escape(text: str) -> str:
    """Paragraph text is a small markup language: escape what would be read as tags or entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
