"""上报: a report becomes a case (its number, place, holder, first deadline, photos and first timeline row)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases import notices
from gridgov.cases.choices import (
    CaseStatus,
    Channel,
    OwnerLevel,
    Priority,
    RequestType,
)
from gridgov.cases.deadlines import accept_deadline, apply_resolve_deadline
from gridgov.cases.models import Case, CaseNumberCounter, CasePhoto, Category
from gridgov.cases.timeline import record_event
from gridgov.core.images import ImageRejected, inspect_image, public_copy
from gridgov.geo.choices import AreaLevel
from gridgov.geo.geometry import to_wgs84
from gridgov.geo.models import Area
from gridgov.geo.selectors import grid_for_point

# --- Case numbers ------------------------------------------------------------------------------------------------


def next_case_number(*, town: Area | None, at: datetime) -> str:
    """``PREFIX-YYYYMMDD-NNNN``, numbered per prefix and local day, without gaps or repeats under concurrency.

    One statement takes the next number: an insert of the day's counter that, when the row exists, increments it
    instead (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, PostgreSQL and SQLite ≥ 3.35). The row stays locked
    until the caller's transaction ends, so a rolled-back report gives its number back.
    """
    prefix = (town.case_prefix if town is not None and town.case_prefix else "") or settings.GRIDGOV[
        "CASE_NUMBER_PREFIX"
    ]
    day = timezone.localtime(at).date()
    connection = transaction.get_connection()
    table, prefix_column, day_column, last = (
        connection.ops.quote_name(name)
        for name in (CaseNumberCounter._meta.db_table, "prefix", "day", "last")
    )
    # Only the model's own table and column names are interpolated; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({prefix_column}, {day_column}, {last}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({prefix_column}, {day_column}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [prefix, connection.ops.adapt_datefield_value(day)])
        (number,) = cursor.fetchone()
    return f"{prefix}-{day:%Y%m%d}-{number:04d}"


def _town_of(area: Area) -> Area | None:
    node: Area | None = area
    while node is not None and node.level not in (AreaLevel.TOWN, AreaLevel.DISTRICT, AreaLevel.CITY):
        node = node.parent
    return node


def _center_above(area: Area) -> Area | None:
    """The command center that holds a case escalated from ``area`` (grid → town → district)."""
    node = area.parent
    while node is not None and node.level not in (AreaLevel.TOWN, AreaLevel.DISTRICT):
        node = node.parent
    return node


def _level_of(area: Area) -> str:
    if area.level == AreaLevel.GRID:
        return OwnerLevel.GRID
    return OwnerLevel.TOWN if area.level == AreaLevel.TOWN else OwnerLevel.DISTRICT


# --- Report ------------------------------------------------------------------------------------------------------


def report_case(
    *,
    actor: User | None,
    channel: str,
    text: str,
    title: str = "",
    category: Category | None = None,
    request_type: str = RequestType.OTHER,
    priority: str = Priority.NORMAL,
    lat: float | None = None,
    lon: float | None = None,
    coord_system: str = "wgs84",
    address: str = "",
    grid: Area | None = None,
    intake_area: Area | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reported_at: datetime | None = None,
    photos: Sequence[File] = (),
    announce: bool = True,
) -> Case:
    """A report comes in (上报). Anonymous residents report with ``actor=None``.

    The grid comes from the coordinates (WGS-84, or GCJ-02/BD-09 converted), else from ``grid``; without either the
    case belongs to ``intake_area`` (the center that took the call). A grid worker's own report is the grid's to
    solve first (格内化解): it starts accepted, held by the grid; every other report waits for the town center.
    ``announce=False`` tells nobody that it arrived: for a work order another system already finished, which the
    import closes at once (``cases.history.actions.close_historical``).
    """
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Describe the problem.")
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if request_type not in RequestType.values:
        errors["request_type"] = _("Unknown request type.")
    if priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            errors["lat"] = _("The coordinates are not valid.")
        else:
            lat, lon = to_wgs84(lat, lon, coord_system)
            grid = grid_for_point(lat, lon) or grid
    if grid is not None and not grid.is_grid:
        errors["grid"] = _("Choose a grid, not a larger area.")
    place = grid or intake_area
    if place is None and "lat" not in errors:
        errors["lat" if lat is not None else "address"] = (
            _("This place lies outside every grid of the platform.")
            if lat is not None
            else _("Give the location (a point on the map or a grid).")
        )
    if errors:
        raise ValidationError(errors)
    assert place is not None  # noqa: S101 - guaranteed by the checks above
    if actor is not None and channel in (Channel.GRID_WORKER, Channel.HOTLINE, Channel.STAFF):
        require(actor, Verb.REPORT_CASE, place)
    at = reported_at or timezone.now()
    by_grid_worker = channel == Channel.GRID_WORKER and grid is not None
    owner = (
        grid if by_grid_worker and grid is not None else (_center_above(place) if place.is_grid else place)
    )
    if owner is None:
        raise ValidationError({"grid": _("No command center holds this area.")})
    # No savepoint inside a caller's transaction (intake, import): a failure here fails the whole report.
    with transaction.atomic(savepoint=False):
        case = Case(
            number=next_case_number(town=_town_of(place), at=at),
            channel=channel,
            request_type=request_type,
            category=category,
            title=(title or text).strip()[:60],
            text=text,
            address=address.strip(),
            lat=lat,
            lon=lon,
            grid=grid,
            area_path=place.path,
            owner_level=_level_of(owner),
            owner_area=owner,
            reporter=actor
            if actor is not None and channel in (Channel.WEB, Channel.OPEN311, Channel.WISH)
            else None,
            reporter_name=reporter_name.strip(),
            reporter_phone=reporter_phone.strip(),
            priority=priority,
            reported_at=at,
        )
        if by_grid_worker:
            case.status = CaseStatus.ACCEPTED
            case.accepted_at = at
            _start_clock(case, at)
        else:
            case.accept_by = accept_deadline(at).at
        case.save()
        record_event(
            case,
            actor=actor,
            verb="report",
            to_status=case.status,
            public=True,
            at=at,
            data={"channel": channel},
        )
        add_photos(case=case, actor=actor, files=photos, kind=CasePhoto.KIND_REPORT)
        if announce:
            notices.arrived(actor, case)
    return case


def _start_clock(case: Case, at: datetime) -> None:
    case.clock_started_at = at
    case.budget_days = case.category.sla_working_days if case.category else 0
    case.suspended_hours = 0
    case.supervise_by = None
    apply_resolve_deadline(case)


# --- Photos ------------------------------------------------------------------------------------------------------

MAX_PHOTOS = 9


def add_photos(*, case: Case, actor: User | None, files: Sequence[File], kind: str) -> list[CasePhoto]:
    """Attach photos (validated by content; a metadata-free public copy beside the original)."""
    if not files:
        return []
    if case.photos.filter(kind=kind).count() + len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(max)d photos.") % {"max": MAX_PHOTOS}})
    saved = []
    for upload in files:
        try:
            info = inspect_image(upload)
        except ImageRejected as error:
            raise ValidationError({"photos": str(error.message)}) from error
        photo = CasePhoto(
            case=case,
            kind=kind,
            sha256=info.sha256,
            taken_at=info.taken_at,
            gps_lat=info.gps_lat,
            gps_lon=info.gps_lon,
            uploaded_by=actor,
        )
        # Stored under the content's hash and real type: the client's file name may itself be personal.
        upload.seek(0)
        photo.original.save(f"{info.sha256}{info.extension}", upload, save=False)
        public = public_copy(upload)
        photo.public.save(public.name or f"{info.sha256}.jpg", public, save=False)
        photo.save()
        saved.append(photo)
    record_event(case, actor=actor, verb="photos", data={"kind": kind, "count": len(saved)}, public=True)
    return saved
