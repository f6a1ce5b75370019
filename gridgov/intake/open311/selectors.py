"""Reads of the Open311 server: jurisdictions, API keys, and service requests (cases) for the public lists.

The request list is one query whatever its length: the case columns with its category, grid, holding area, media
URL and open lead department (plain values, no model instances). Dates bound
``reported_at`` (indexed) and a jurisdiction bounds ``area_path`` (a prefix range on an indexed column).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform

from gridgov.cases.choices import CaseStatus
from gridgov.cases.models import ASSIGNMENT_CLOSED, Case, CaseEvent
from gridgov.core.stamps import Stamped
from gridgov.dispatch.choices import AssignmentRole
from gridgov.dispatch.models import Assignment
from gridgov.geo.index import AREAS_STAMP
from gridgov.geo.models import Area
from gridgov.intake.keys import JURISDICTION_LEVELS
from gridgov.intake.models import ApiKey, Submission, hash_key

API_KEYS_STAMP = "gridgov:intake:api-keys"

#: Case statuses an Open311 client sees as ``closed``: the problem was dealt with (or the report was not taken
#: up). Everything else is ``open``.
CLOSED_STATUSES: frozenset[str] = frozenset(
    {CaseStatus.RESOLVED, CaseStatus.VERIFIED, CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED}
)
OPEN_STATUSES: frozenset[str] = frozenset(CaseStatus.values) - CLOSED_STATUSES


def data_stamp() -> int:
    """The id of the newest case timeline row: every change to a case (its status, holder, assignments, merge)
    appends one, so a cached public answer keyed on this number is never older than the cases it shows. One read
    of the primary key's last entry."""
    return CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def max_requests() -> int:
    return int(settings.GRIDGOV.get("OPEN311_MAX_REQUESTS", 1000))


def find_jurisdiction(value: str) -> Area | None:
    """The active town or district whose code, or whose case-number prefix, is ``value``."""
    value = (value or "").strip()
    if not value:
        return None
    areas = Area.objects.filter(is_active=True, level__in=JURISDICTION_LEVELS)
    area = areas.filter(code=value).first()
    if area is None:
        area = areas.filter(case_prefix__iexact=value).exclude(case_prefix="").order_by("path").first()
    return area


def jurisdictions() -> list[Area]:
    """Every area a ``jurisdiction_id`` may name, for the discovery document."""
    return list(Area.objects.filter(is_active=True, level__in=JURISDICTION_LEVELS).order_by("path"))


def _load_keys() -> dict[str, ApiKey]:
    return {key.key_hash: key for key in ApiKey.objects.select_related("jurisdiction")}


#: Every key by its hash, kept per process until a key is saved or deleted (or the areas change: a key's
#: jurisdiction is an area): every POST checks its key.
_keys: Stamped[dict[str, ApiKey]] = Stamped(API_KEYS_STAMP, _load_keys, also=[AREAS_STAMP])
_keys.follow(ApiKey)


def find_api_key(raw: str) -> ApiKey | None:
    """The key record of a raw key (active or not), by its hash, from the process's copy (shared: read only,
    apart from the ``last_used_at`` bookkeeping of ``keys.note_key_used``)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    return _keys.get().get(hash_key(raw))


#: The columns a public request is built from (see ``payloads.request_payload``): plain values, no model
#: instances, so a list of a thousand requests costs one query and little Python.
REQUEST_COLUMNS = (
    "id",
    "number",
    "status",
    "request_type",
    "text",
    "address",
    "lat",
    "lon",
    "reported_at",
    "updated_at",
    "resolve_by",
    "owner_level",
    "owner_area__name",
    "grid__code",
    "category__code",
    "category__name",
    "category__name_en",
    "category__sla_working_days",
    "merged_into_id",
    "media_url",
)


def _requests(jurisdiction: Area | None) -> QuerySet[Case]:
    queryset = Case.objects.all()
    if jurisdiction is not None:
        queryset = queryset.filter(area_path__within=jurisdiction.path)
    return queryset


def _rows(queryset: QuerySet[Case], *, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """The request rows of the ordered ``queryset`` from ``offset``, at most ``limit``, each with ``agency`` = the
    name of its first open lead department, if any (a correlated subquery on the assignment's case index, in the
    same query)."""
    lead = (
        Assignment.objects.filter(case=OuterRef("pk"), role=AssignmentRole.LEAD)
        .exclude(status__in=ASSIGNMENT_CLOSED)
        .order_by("id")
        .values("department__name")[:1]
    )
    annotated = queryset.annotate(
        media_url=KeyTextTransform("media_url", "submission__extra"), agency=Subquery(lead)
    )
    return list(annotated.values(*REQUEST_COLUMNS, "agency")[offset : offset + limit])


def list_requests(
    *,
    jurisdiction: Area | None,
    numbers: Sequence[str] = (),
    service_codes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    page: int = 1,
    page_size: int | None = None,
) -> list[dict[str, Any]]:
    """Rows for ``GET requests``: by number (which overrides every other filter), else by service, open/closed
    and the reported time range; newest first, at most ``OPEN311_MAX_REQUESTS`` per page."""
    queryset = _requests(jurisdiction)
    limit = min(page_size or max_requests(), max_requests())
    if numbers:
        return _rows(
            queryset.filter(number__in=list(numbers)[:limit]).order_by("-reported_at", "-id"), limit=limit
        )
    if service_codes:
        queryset = queryset.filter(category__code__in=list(service_codes))
    wanted: set[str] = set()
    for status in statuses:
        wanted |= CLOSED_STATUSES if status == "closed" else OPEN_STATUSES
    if wanted and wanted != set(CaseStatus.values):
        queryset = queryset.filter(status__in=sorted(wanted))
    if start is not None:
        queryset = queryset.filter(reported_at__gte=start)
    if end is not None:
        queryset = queryset.filter(reported_at__lte=end)
    offset = (max(page, 1) - 1) * limit
    return _rows(queryset.order_by("-reported_at", "-id"), limit=limit, offset=offset)


def get_request(number: str, *, jurisdiction: Area | None) -> dict[str, Any] | None:
    rows = _rows(_requests(jurisdiction).filter(number=number), limit=1)
    return rows[0] if rows else None


def find_token(token: str, *, jurisdiction: Area | None) -> Submission | None:
    queryset = Submission.objects.select_related("case").filter(token=token)
    if jurisdiction is not None:
        queryset = queryset.filter(Q(case__area_path__within=jurisdiction.path))
    return queryset.first()
