"""One row of a work-order file checked on its own: every problem it has, each with the row number the
spreadsheet shows, the file's column and the reason in the user's language; or the values, ready for an intake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.cases.choices import Channel, RequestType
from gridgov.cases.models import Category
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.geo.selectors import grid_for_point
from gridgov.intake.imports.mapping import FIELDS_BY_NAME
from gridgov.intake.imports.parsing import (
    cell_text,
    is_finished,
    parse_channel,
    parse_datetime,
    parse_float,
    parse_request_type,
)

#: Model field limits, checked per row so that a long value is reported instead of failing the database.
MAX_LENGTH = {"external_id": 100, "reporter_name": 64, "reporter_phone": 20, "address": 255, "title": 120}
#: A reported time may lie this far ahead of the clock (clock skew of the exporting system).
FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class RowProblem:
    """Why a row was not imported: its row number (the header is row 1 when it is the first row), the field and
    the file's column it concerns (empty for the row as a whole) and the reason in the user's language."""

    row: int
    field: str
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Row %(row)d: %(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class ParsedRow:
    """A good row, ready to become an ``Intake``."""

    row: int
    external_id: str
    text: str
    channel: str
    title: str = ""
    reported_at: datetime | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    category: Category | None = None
    request_type: str = ""
    grid: Area | None = None
    finished: bool = False
    resolved_at: datetime | None = None
    history: dict[str, str] = field(default_factory=dict)

    def display(self) -> dict[str, str]:
        """The values as the preview shows them."""
        values = {
            "external_id": self.external_id,
            "text": self.text,
            "title": self.title,
            "reported_at": timezone.localtime(self.reported_at).strftime("%Y-%m-%d %H:%M")
            if self.reported_at
            else "",
            "reporter_name": self.reporter_name,
            "reporter_phone": self.reporter_phone,
            "address": self.address,
            "lat": "" if self.lat is None else f"{self.lat:g}",
            "lon": "" if self.lon is None else f"{self.lon:g}",
            "category": self.category.display_name if self.category else "",
            "request_type": str(RequestType(self.request_type).label) if self.request_type else "",
            "grid": self.grid.name if self.grid else "",
            "channel": str(Channel(self.channel).label),
        }
        values.update(self.history)
        return values


# --- Lookups -----------------------------------------------------------------------------------------------------


class Lookups:
    """Categories and the area's grids, loaded once per import."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self.categories: dict[str, Category] = {}
        for category in Category.objects.all():
            for key in (category.code, category.name, category.name_en):
                if key:
                    self.categories.setdefault(key.strip().lower(), category)
        self.grids_by_code: dict[str, Area] = {}
        self.grids_by_name: dict[str, list[Area]] = {}
        for grid in Area.objects.filter(path__within=area.path, level=AreaLevel.GRID, is_active=True):
            self.grids_by_code[grid.code] = grid
            names = {grid.name, *(alias for alias in grid.aliases or [] if isinstance(alias, str))}
            for name in names:
                self.grids_by_name.setdefault(name.strip(), []).append(grid)


# --- Rows --------------------------------------------------------------------------------------------------------


class Row:
    """Checks one row, collecting every problem it has."""

    def __init__(
        self, number: int, cells: Sequence[Any], columns: Mapping[str, int], headers: Sequence[str]
    ) -> None:
        self.number = number
        self.cells = cells
        self.columns = columns
        self.headers = headers
        self.problems: list[RowProblem] = []

    def raw(self, field: str) -> Any:
        index = self.columns.get(field)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, field: str) -> str:
        return cell_text(self.raw(field))

    def column(self, field: str) -> str:
        index = self.columns.get(field)
        if index is None:
            return str(FIELDS_BY_NAME[field].label) if field in FIELDS_BY_NAME else ""
        return self.headers[index] if index < len(self.headers) else str(FIELDS_BY_NAME[field].label)

    def problem(self, field: str, reason: str) -> None:
        self.problems.append(RowProblem(self.number, field, self.column(field) if field else "", reason))

    def invalid(self, field: str, message: str) -> None:
        """A value problem: ``message`` has %(column)s and %(value)s."""
        value = self.text(field)
        shown = value if len(value) <= 40 else value[:40] + "…"
        self.problem(field, message % {"column": self.column(field), "value": shown})

    def bounded(self, field: str) -> str:
        value = self.text(field)
        limit = MAX_LENGTH.get(field)
        if limit and len(value) > limit:
            self.problem(
                field,
                _("%(column)s is longer than %(max)d characters.")
                % {"column": self.column(field), "max": limit},
            )
        return value

    def when(self, field: str, *, required: bool) -> datetime | None:
        raw = self.raw(field)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.problem(field, _("%(column)s is empty.") % {"column": self.column(field)})
            return None
        try:
            value = parse_datetime(raw)
        except (ValueError, OverflowError):
            self.invalid(field, _("%(column)s '%(value)s' is not a valid date."))
            return None
        if value > timezone.now() + FUTURE_TOLERANCE:
            self.invalid(field, _("%(column)s '%(value)s' lies in the future."))
            return None
        return value


def check_row(
    row: Row,
    *,
    external_id: str,
    lookups: Lookups,
    channel: str,
    coord_system: str,
) -> ParsedRow | None:
    """The row's values, or None when it has problems (then in ``row.problems``, every one of them)."""
    text = row.text("text")
    if not text:
        row.problem("text", _("%(column)s is empty: describe the problem.") % {"column": row.column("text")})
    parsed = ParsedRow(row=row.number, external_id=external_id, text=text, channel=channel)
    parsed.title = row.bounded("title")
    parsed.reporter_name = row.bounded("reporter_name")
    parsed.reporter_phone = row.bounded("reporter_phone")
    parsed.address = row.bounded("address")
    parsed.reported_at = row.when("reported_at", required="reported_at" in row.columns)

    lat = lon = None
    try:
        lat = parse_float(row.raw("lat"))
    except ValueError:
        row.invalid("lat", _("%(column)s '%(value)s' is not a number."))
    try:
        lon = parse_float(row.raw("lon"))
    except ValueError:
        row.invalid("lon", _("%(column)s '%(value)s' is not a number."))
    if lat == 0 and lon == 0:  # exports write 0,0 for "no position"
        lat = lon = None
    if (lat is None) != (lon is None):
        if (
            "lat" in row.columns
            and "lon" in row.columns
            and not any(p.field in ("lat", "lon") for p in row.problems)
        ):
            row.problem("lat", _("Give both the latitude and the longitude, or neither."))
        lat = lon = None
    elif lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            row.problem(
                "lat",
                _("The coordinates %(lat)s, %(lon)s are not valid.")
                % {"lat": row.text("lat"), "lon": row.text("lon")},
            )
            lat = lon = None
        else:
            point_grid = grid_for_point(lat, lon, system=coord_system)
            if point_grid is not None and not point_grid.path.startswith(lookups.area.path):
                row.problem(
                    "lat",
                    _("The coordinates lie in %(grid)s, outside %(area)s.")
                    % {"grid": point_grid.name, "area": lookups.area.name},
                )
            parsed.grid = point_grid
    parsed.lat, parsed.lon = lat, lon

    category_value = row.text("category")
    if category_value:
        category = lookups.categories.get(category_value.lower())
        if category is None:
            row.invalid("category", _("%(column)s '%(value)s' is not one of our categories (code or name)."))
        elif not category.is_active:
            row.invalid("category", _("%(column)s '%(value)s' is a category no longer in use."))
        else:
            parsed.category = category

    request_type = row.text("request_type")
    if request_type:
        try:
            parsed.request_type = parse_request_type(request_type)
        except ValueError:
            row.invalid(
                "request_type",
                _("%(column)s '%(value)s' is not a request type (咨询/求助/投诉/举报/建议/其他)."),
            )

    grid_value = row.text("grid")
    if grid_value:
        grid = find_grid(row, grid_value, lookups)
        if parsed.grid is None:
            parsed.grid = grid

    channel_value = row.text("channel")
    if channel_value:
        parsed.channel = parse_channel(channel_value, channel)
        if parsed.channel == channel and channel_value.lower() != channel:
            parsed.history["channel"] = channel_value

    status = row.text("status")
    resolved_at = row.when("resolved_at", required=False)
    result = row.text("result")
    if status:
        parsed.history["status"] = status
    if resolved_at is not None:
        parsed.history["resolved_at"] = timezone.localtime(resolved_at).isoformat()
        if parsed.reported_at is not None and resolved_at < parsed.reported_at:
            row.invalid("resolved_at", _("%(column)s '%(value)s' is earlier than the time reported."))
    if result:
        parsed.history["result"] = result
    parsed.resolved_at = resolved_at
    parsed.finished = is_finished(status) if "status" in row.columns else resolved_at is not None
    if parsed.finished and not row.problems:
        # A finished work order is closed with the file's own times (cases.history): both must be known.
        if parsed.reported_at is None:
            row.problem(
                "reported_at",
                _(
                    "The work order is finished, but the file does not say when it was reported: map the "
                    "column with the time reported, so that its handling time can be counted."
                ),
            )
        if resolved_at is None:
            row.problem(
                "resolved_at",
                _(
                    "The work order is finished, but %(column)s is empty: closing it needs the time it was finished."
                )
                % {"column": row.column("resolved_at")},
            )
    return None if row.problems else parsed


def find_grid(row: Row, value: str, lookups: Lookups) -> Area | None:
    """The grid of the center's area named by code, name or alias; else a problem saying why not."""
    grid = lookups.grids_by_code.get(value)
    if grid is not None:
        return grid
    named = lookups.grids_by_name.get(value, [])
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        row.invalid("grid", _("%(column)s '%(value)s' names several grids; use the grid's code."))
        return None
    other = Area.objects.filter(code=value).first()
    if other is None:
        row.invalid("grid", _("%(column)s '%(value)s' is not a known grid (code or name)."))
    elif not other.path.startswith(lookups.area.path):
        row.problem(
            "grid",
            _("%(column)s '%(value)s' lies outside %(area)s.")
            % {"column": row.column("grid"), "value": value, "area": lookups.area.name},
        )
    else:
        row.invalid("grid", _("%(column)s '%(value)s' is not a grid but a larger area."))
    return None


def check_identity(row: Row, external_id: str, first_row: dict[str, int]) -> None:
    """The work-order number is there and not a repeat of an earlier row's (which is noted in ``first_row``)."""
    if not external_id:
        row.problem(
            "external_id",
            _("%(column)s is empty: every work order needs its number.")
            % {"column": row.column("external_id")},
        )
    elif external_id in first_row:
        row.problem(
            "external_id",
            _("%(column)s '%(value)s' appears twice: row %(first)d has the same number.")
            % {"column": row.column("external_id"), "value": external_id, "first": first_row[external_id]},
        )
    else:
        first_row[external_id] = row.number
