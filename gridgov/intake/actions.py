"""Writes of the intake app: every channel's report goes through ``submit_report``.

The report is triaged first (outside the transaction: pure computation and reads), then one transaction creates
the case through ``cases.actions.report_case`` (its timeline row, deadlines, notices after commit), the
``Submission`` record and the triage ``Suggestion``. What triage may apply without a person:

* the category, when its probability reaches ``TRIAGE_AUTO_APPLY`` and the channel did not give one;
* urgency: a report triage finds urgent becomes urgent at once (it jumps the queue and alerts the center); a
  person can still lower it — a missed fire costs more than a false alarm;
* the request type, when the channel did not give one;
* the grid named in the address when there are no coordinates.

An ``external_id`` makes the report idempotent per ``source``: sending it again returns the case it became.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from gridgov.accounts.models import User
from gridgov.cases import actions as case_actions
from gridgov.cases.choices import Priority, RequestType
from gridgov.cases.models import Case, Category
from gridgov.cases.selectors import category_by_code
from gridgov.geo.choices import AreaLevel
from gridgov.geo.geometry import to_wgs84
from gridgov.geo.models import Area
from gridgov.intake.models import ApiKey, Submission
from gridgov.triage.actions import record_suggestion
from gridgov.triage.engine import TriageResult, remember_case, triage_report


@dataclass
class Intake:
    """What a channel hands over. Fields a channel does not know stay at their defaults."""

    channel: str
    text: str
    title: str = ""
    category: Category | None = None
    request_type: str = ""
    priority: str = ""
    lat: float | None = None
    lon: float | None = None
    coord_system: str = "wgs84"
    address: str = ""
    grid: Area | None = None
    intake_area: Area | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    reported_at: datetime | None = None
    photos: Sequence[File] = ()
    source: str = ""
    external_id: str = ""
    api_key: ApiKey | None = None
    sender: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: False for a work order another system already finished (an import closes it at once): nobody is told.
    announce: bool = True


@dataclass(frozen=True)
class Submitted:
    case: Case
    submission: Submission
    triage: TriageResult | None
    created: bool


def sender_hash(value: str) -> str:
    """A keyed hash of an IP address or phone number: enough to see repeats, not to recover the value."""
    if not value:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def _center_holding(area: Area) -> Area | None:
    """The town or district command center whose area holds ``area`` (the area itself when it is one)."""
    node: Area | None = area
    while node is not None and node.level not in (AreaLevel.TOWN, AreaLevel.DISTRICT):
        node = node.parent
    return node


def _existing(source: str, external_id: str) -> Submission | None:
    if not external_id:
        return None
    return Submission.objects.select_related("case").filter(source=source, external_id=external_id).first()


def submit_report(*, actor: User | None, intake: Intake) -> Submitted:
    """受理入口: triage a report from any channel and turn it into a case (or return the case it already is)."""
    existing = _existing(intake.source, intake.external_id)
    if existing is not None:
        return Submitted(existing.case, existing, None, created=False)

    lat, lon = intake.lat, intake.lon
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        lat, lon = to_wgs84(lat, lon, intake.coord_system)
    result = triage_report(
        intake.text,
        lat=lat,
        lon=lon,
        address=intake.address,
        reported_at=intake.reported_at,
    )
    applied: list[str] = []
    category = intake.category
    if category is None and result.confidence >= float(settings.GRIDGOV["TRIAGE_AUTO_APPLY"]):
        category = category_by_code(result.category)
        if category is not None:
            applied.append("category")
    priority = intake.priority or Priority.NORMAL
    if result.urgent and priority != Priority.URGENT:
        priority = Priority.URGENT
        applied.append("priority")
    request_type = intake.request_type
    if not request_type:
        request_type = result.request_type if result.request_type in RequestType.values else RequestType.OTHER
        applied.append("request_type")
    grid = intake.grid
    if grid is None and lat is None and result.grid is not None:
        grid = Area.objects.filter(code=result.grid).first()
        if grid is not None:
            applied.append("grid")
    intake_area = intake.intake_area
    if grid is None and intake_area is None and lat is None and result.area is not None:
        # A village or community named without its grid: the command center above it takes the report.
        named = Area.objects.filter(code=result.area).first()
        intake_area = _center_holding(named) if named is not None else None

    try:
        with transaction.atomic():
            case = case_actions.report_case(
                actor=actor,
                channel=intake.channel,
                text=intake.text,
                title=intake.title,
                category=category,
                request_type=request_type,
                priority=priority,
                lat=lat,
                lon=lon,
                address=intake.address,
                grid=grid,
                intake_area=intake_area,
                reporter_name=intake.reporter_name,
                reporter_phone=intake.reporter_phone,
                reported_at=intake.reported_at,
                photos=intake.photos,
                announce=intake.announce,
            )
            submission = Submission.objects.create(
                case=case,
                channel=intake.channel,
                source=intake.source,
                external_id=intake.external_id,
                api_key=intake.api_key,
                sender_hash=sender_hash(intake.sender),
                extra=intake.extra,
            )
            record_suggestion(case=case, result=result, applied=applied)
        remember_case(case.number, result)
    except IntegrityError:
        # The same external id arrived twice at once: the other request created it.
        existing = _existing(intake.source, intake.external_id)
        if existing is None:
            raise
        return Submitted(existing.case, existing, None, created=False)
    return Submitted(case, submission, result, created=True)
