"""Writes of the cases app: the case verbs held by grids and command centers, and the taxonomy.

Every verb is a typed function with a required ``actor``: it checks ``accounts.permissions``, runs in one
transaction, locks the case (``timeline.lock_case``), checks the transition table (``workflow``), appends its
``CaseEvent`` and queues notifications that are delivered after commit. Department verbs (dispatch, sign, return,
resolve, time requests) live in ``dispatch.actions``, the closing of imported history in ``cases.history.actions``;
they use the same mechanics.
"""

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
    AlertLevel,
    CaseStatus,
    Channel,
    OwnerLevel,
    Priority,
    RequestType,
    Satisfaction,
)
from gridgov.cases.deadlines import accept_deadline, apply_resolve_deadline
from gridgov.cases.models import Case, CaseNumberCounter, CasePhoto, Category
from gridgov.cases.timeline import lock_case, move, record_event, require_holder, require_open, save_case
from gridgov.cases.workflow import TERMINAL, Transition
from gridgov.core.audit import record
from gridgov.core.exceptions import InvalidTransition
from gridgov.core.images import ImageRejected, inspect_image, public_copy
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.geo.choices import AreaLevel
from gridgov.geo.geometry import to_wgs84
from gridgov.geo.models import Area
from gridgov.geo.selectors import grid_for_point

CATEGORY_FIELDS = {
    "name",
    "name_en",
    "scope_in",
    "scope_out",
    "scope_in_en",
    "scope_out_en",
    "default_department",
    "sla_working_days",
    "sort_order",
    "is_active",
}


def save_category(*, actor: User, code: str, values: dict[str, object]) -> Category:
    """Create or update (by code) a category of the taxonomy. Categories are deactivated, never deleted."""
    require(actor, Verb.MANAGE_TAXONOMY)
    unknown = set(values) - CATEGORY_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    with transaction.atomic():
        category = Category.objects.filter(code=code).first() or Category(code=code)
        created = category.pk is None
        for field, value in values.items():
            setattr(category, field, value)
        category.full_clean()
        category.save()
        record(
            actor=actor,
            verb="create_category" if created else "update_category",
            target=category,
            summary=f"{category.code} {category.name}",
            data={"fields": sorted(values)},
        )
    return category


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


# --- The command center -------------------------------------------------------------------------------------------


def accept_case(
    *,
    actor: User,
    case: Case,
    category: Category | None = None,
    request_type: str | None = None,
    priority: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """受理/立案: the center registers the case with its category; the resolve clock starts."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ACCEPT_CASE, case)
        category = category or case.category
        if category is None:
            raise ValidationError({"category": _("Choose the category before accepting.")})
        if request_type is not None:
            case.request_type = request_type
        if priority is not None:
            case.priority = priority
        now = timezone.now()
        move(case, Transition.ACCEPT, actor=actor, note=note, data={"category": category.code}, at=now)
        if case.category_id != category.pk:
            record_event(
                case,
                actor=actor,
                verb="categorise",
                data={"from": case.category.code if case.category else None, "to": category.code},
                at=now,
            )
        case.category = category
        case.accepted_at = now
        case.alert_level = AlertLevel.NORMAL
        _start_clock(case, now)
        save_case(case)
    return case


def reject_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """不予受理: not a matter for the platform (reason required, shown to the reporter)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ACCEPT_CASE, case)
        move(case, Transition.REJECT, actor=actor, note=reason.strip())
        case.closed_at = timezone.now()
        save_case(case)
    return case


def merge_case(
    *, actor: User, case: Case, master: Case, note: str = "", expected_version: int | None = None
) -> Case:
    """重复件: the case is the same problem as ``master``; its reporter follows the master from now on."""
    if case.pk == master.pk:
        raise ValidationError({"master": _("A case cannot be merged into itself.")})
    with transaction.atomic():
        first, second = sorted([case.pk, master.pk])  # lock in a fixed order: no deadlock between two merges
        locked = {
            pk: lock_case(pk, expected_version=expected_version if pk == case.pk else None)
            for pk in (first, second)
        }
        case, master = locked[case.pk], locked[master.pk]
        require_holder(actor, Verb.ACCEPT_CASE, case)
        require_holder(actor, Verb.ACCEPT_CASE, master)
        if not master.is_open or master.merged_into_id is not None:
            raise ValidationError({"master": _("The master case must be open.")})
        move(case, Transition.MERGE, actor=actor, note=note, data={"master": master.number})
        case.merged_into = master
        case.closed_at = timezone.now()
        save_case(case)
        record_event(
            master,
            actor=actor,
            verb="duplicate_merged",
            note=note,
            data={"duplicate": case.number, "channel": case.channel},
            public=True,
        )
        save_case(master)
    return case


def escalate_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """上报: what the grid or town cannot solve goes to the parent area's command center, to be accepted there."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ESCALATE_CASE, case)
        center = _center_above(case.owner_area)
        if center is None:
            raise InvalidTransition(_("There is no higher command center to escalate to."))
        before = case.owner_area
        move(
            case,
            Transition.ESCALATE,
            actor=actor,
            note=reason.strip(),
            data={"from": before.code, "to": center.code},
        )
        case.owner_area, case.owner_level = center, _level_of(center)
        now = timezone.now()
        case.accept_by = accept_deadline(now).at
        case.alert_level = AlertLevel.NORMAL
        save_case(case)
        notices.arrived(actor, case)
    return case


def resolve_in_grid(
    *, actor: User, case: Case, result: str, photos: Sequence[File] = (), expected_version: int | None = None
) -> Case:
    """格内化解: the grid worker (or chief) solved it on the spot, with the result and, usually, a photo."""
    if not result.strip():
        raise ValidationError({"result": _("Describe what was done.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.RESOLVE_IN_GRID, case)
        if case.grid is None:
            raise ValidationError({"grid": _("Only a case located in a grid can be resolved in the grid.")})
        now = timezone.now()
        move(case, Transition.RESOLVE_IN_GRID, actor=actor, note=result.strip(), at=now)
        case.resolution, case.resolved_at = result.strip(), now
        case.owner_area, case.owner_level = case.grid, OwnerLevel.GRID
        if case.accepted_at is None:
            case.accepted_at = now
        save_case(case)
        add_photos(case=case, actor=actor, files=photos, kind=CasePhoto.KIND_RESULT)
    return case


def verify_case(
    *, actor: User, case: Case, ok: bool, note: str = "", expected_version: int | None = None
) -> Case:
    """核查: the center or the grid worker checks the result on the spot; not ok sends it back (返工)."""
    if not ok and not note.strip():
        raise ValidationError({"note": _("Say what is still wrong.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.VERIFY_CASE, case)
        if ok:
            move(case, Transition.VERIFY_OK, actor=actor, note=note)
        else:
            lead = case.assignments.filter(role=AssignmentRole.LEAD, status=AssignmentStatus.RESOLVED).first()
            if lead is not None:
                move(case, Transition.VERIFY_REDO, actor=actor, note=note)
                lead.status, lead.finished_at = AssignmentStatus.SIGNED, None
                lead.save(update_fields=["status", "finished_at", "updated_at"])
            else:
                move(case, Transition.REDO_IN_GRID, actor=actor, note=note)
            case.resolved_at = None
        save_case(case)
        if not ok:
            notices.urged(actor, case, note)
    return case


def rate_case(
    *,
    actor: User | None,
    case: Case,
    satisfaction: str,
    comment: str = "",
    by_visit: bool = False,
    expected_version: int | None = None,
) -> Case:
    """回访/评价: the reporter (or a visit operator on the phone) rates the result; dissatisfied reopens (重办).

    ``actor=None`` is the anonymous reporter whom the *caller* has authorised: only
    ``intake.resident.actions.rate_by_secret`` passes it, after checking the resident's tracking secret. The
    timeline row then has no actor, like the anonymous report itself. Every other caller passes the user.
    """
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if actor is None and by_visit:
        raise ValueError("a phone visit (回访) is recorded by a signed-in operator, not anonymously")
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        # The reporter rates their own case; a visit operator (dispatcher) records a phone visit (回访).
        if actor is not None:
            require(actor, Verb.RATE_CASE, case)
        now = timezone.now()
        transition = (
            Transition.RATE_DISSATISFIED
            if satisfaction == Satisfaction.DISSATISFIED
            else Transition.RATE_SATISFIED
        )
        move(
            case,
            transition,
            actor=actor,
            note=comment.strip(),
            data={"satisfaction": satisfaction, "by_visit": by_visit},
            at=now,
        )
        case.satisfaction = satisfaction
        if transition is Transition.RATE_SATISFIED:
            case.closed_at = now
        else:
            case.reopen_count += 1
            case.resolved_at = None
            _start_clock(case, now)
        save_case(case)
        notices.rated(actor, case)
        if transition is Transition.RATE_DISSATISFIED:
            notices.arrived(actor, case)
    return case


def close_case(*, actor: User, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """结案 without a rating (e.g. the reporter could not be reached for the visit)."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require_holder(actor, Verb.ACCEPT_CASE, case)
        move(case, Transition.CLOSE, actor=actor, note=note)
        case.closed_at = timezone.now()
        save_case(case)
    return case


# --- Verbs that keep the status ----------------------------------------------------------------------------------


def supervise_case(
    *, actor: User, case: Case, instruction: str, deadline: datetime, expected_version: int | None = None
) -> Case:
    """督办: a leader's order with a deadline; the deadline replaces the computed one."""
    if not instruction.strip():
        raise ValidationError({"instruction": _("Write the instruction.")})
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("The deadline must lie in the future.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.SUPERVISE_CASE, case)
        require_open(case)
        case.supervise_by = deadline
        apply_resolve_deadline(case)
        case.alert_level = AlertLevel.NORMAL
        record_event(
            case,
            actor=actor,
            verb="supervise",
            note=instruction.strip(),
            data={"deadline": deadline.isoformat()},
        )
        save_case(case)
        notices.supervised(actor, case, instruction.strip())
    return case


def urge_case(*, actor: User, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """催办: a reminder to whoever holds the case."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.URGE_CASE, case)
        require_open(case)
        record_event(case, actor=actor, verb="urge", note=note.strip())
        save_case(case)
        notices.urged(actor, case, note.strip())
    return case


def comment_case(
    *, actor: User, case: Case, text: str, public: bool = False, expected_version: int | None = None
) -> Case:
    """A note on the timeline; ``public`` ones are shown to the reporter."""
    if not text.strip():
        raise ValidationError({"text": _("Write something.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.COMMENT_CASE, case)
        record_event(case, actor=actor, verb="comment", note=text.strip(), public=public)
        save_case(case)
    return case


def reveal_personal_data(*, actor: User, case: Case) -> dict[str, str]:
    """Show the reporter's name and phone unmasked; the view itself is an event on the timeline."""
    with transaction.atomic():
        case = lock_case(case)
        require(actor, Verb.VIEW_PERSONAL_DATA, case)
        record_event(
            case, actor=actor, verb="view_personal_data", data={"fields": ["reporter_name", "reporter_phone"]}
        )
    return {"reporter_name": case.reporter_name, "reporter_phone": case.reporter_phone}


def view_original_photo(*, actor: User, photo: CasePhoto) -> CasePhoto:
    """Opening an original photo shows its EXIF (where and when it was taken): logged like any personal data."""
    with transaction.atomic():
        case = lock_case(photo.case_id)
        require(actor, Verb.VIEW_PERSONAL_DATA, case)
        record_event(case, actor=actor, verb="view_photo_original", data={"photo": photo.pk})
    return photo


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


def recompute_provisional(years: list[int]) -> int:
    """Recompute deadlines computed under the weekends-only fallback once a year's schedule arrives.

    Registered as a calendar hook in ``CasesConfig.ready``; safe to run twice.
    """
    changed = 0
    for case in Case.objects.filter(deadline_provisional=True).exclude(status__in=TERMINAL):
        with transaction.atomic():
            locked = lock_case(case)
            before = locked.resolve_by
            apply_resolve_deadline(locked)
            if locked.resolve_by != before or not locked.deadline_provisional:
                record_event(
                    locked,
                    actor=None,
                    verb="deadline_recomputed",
                    data={
                        "years": years,
                        "before": before.isoformat() if before else None,
                        "after": locked.resolve_by.isoformat() if locked.resolve_by else None,
                    },
                )
                save_case(locked)
                changed += 1
    return changed
