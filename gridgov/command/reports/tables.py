"""The columns the bulletin's unit tables show, shared by the Excel, PDF and HTML renderings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.command.selectors.bulletin import Unit
from gridgov.command.selectors.indicators import Figures

COUNT = "count"
RATE = "rate"
DAYS = "days"


@dataclass(frozen=True)
class Column:
    """A column of a unit table: a count or rate of ``Figures`` (``key`` is an attribute or property)."""

    key: str
    label: Promise
    kind: str  # COUNT, RATE or DAYS

    def value(self, figures: Figures) -> Any:
        return getattr(figures, self.key)


#: The unit tables' columns, as a 12345 bulletin lists them (short labels: the PDF page is narrow).
UNIT_COLUMNS = [
    Column("received", _("Received"), COUNT),
    Column("response_rate", _("Response rate"), RATE),
    Column("resolved", _("Resolved"), COUNT),
    Column("on_time_rate", _("On-time rate"), RATE),
    Column("rework_rate", _("Rework rate"), RATE),
    Column("satisfaction_rate", _("Satisfaction"), RATE),
    Column("average_days", _("Avg. days"), DAYS),
    Column("overdue_now", _("Overdue now"), COUNT),
]

#: For each ranking metric, the column whose value ranks the units.
RANKING_COLUMN = {
    "overdue_now": Column("overdue_now", _("Overdue now"), COUNT),
    "on_time_rate": Column("on_time_rate", _("On-time rate"), RATE),
}


def format_value(value: Any, kind: str) -> str:
    """A cell as text: 1234 / 92.3% / 4.5; "—" when there is no value (no denominator)."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{value * 100:.1f}%"
    if kind == DAYS:
        return f"{value:.1f}"
    return str(value)


def unit_cells(unit: Unit) -> list[str]:
    return [format_value(column.value(unit.figures), column.kind) for column in UNIT_COLUMNS]


def figure_cells(figures: Figures) -> list[str]:
    return [format_value(column.value(figures), column.kind) for column in UNIT_COLUMNS]
