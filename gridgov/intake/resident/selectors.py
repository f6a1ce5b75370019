"""Reads behind the resident pages: a case as the public may see it, and open cases near a new report.

Nothing here returns personal data. Case titles and notes pass through ``mask_personal_text`` (a resident often
writes their phone number into the description); timeline rows carry the verb, the time, the department or area
concerned and, for the few verbs whose note is written *for* the reporter, the note, never the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Count, Q

from gridgov.cases.choices import EVENT_LABELS
from gridgov.cases.models import Case, CaseEvent, CasePhoto
from gridgov.cases.workflow import TERMINAL
from gridgov.core.masking import mask_personal_text
from gridgov.dispatch.models import Department
from gridgov.geo.geometry import box_around, distance_m
from gridgov.geo.models import Area
from gridgov.intake.models import Submission

#: Open cases at most this old are offered as "already reported".
NEARBY_DAYS = 30
#: At most this many nearby cases are offered.
NEARBY_LIMIT = 5
#: Below this many characters a text says too little to predict a category from.
MIN_TEXT_FOR_PREDICTION = 4


#: Verbs whose note is addressed to the reporter (the reason of a refusal, the result, a public comment, the
#: reporter's own rating comment). Other public rows show their label only: a note on "accepted" or "sent back
#: for rework" is written for colleagues.
NOTE_VERBS = frozenset(
    {"reject", "resolve", "resolve_in_grid", "comment", "rate_satisfied", "rate_dissatisfied"}
)
#: Of those, the ones written by the reporter: shown to the reporter, not to the neighbours who follow the case.
REPORTER_NOTE_VERBS = frozenset({"rate_satisfied", "rate_dissatisfied"})
#: Where a timeline row names the department concerned (department names are public; staff names are not).
_DEPARTMENT_KEYS = {
    "dispatch": "lead",
    "reassign": "lead",
    "coordinate": "lead",
    "sign": "department",
    "resolve": "department",
    "return": "department",
}

FOLLOW_SALT = "gridgov.intake.resident.follow"


# --- Finding the case ------------------------------------------------------------------------------------------


def submission_for_secret(secret: str) -> Submission | None:
    """The submission whose tracking secret this is (the only thing that opens the reporter's page)."""
    if not secret or len(secret) > 64:
        return None
    return (
        Submission.objects.select_related("case__category", "case__grid", "case__merged_into")
        .filter(tracking_secret=secret)
        .first()
    )


def _digits(value: str) -> str:
    return "".join(ch for ch in value or "" if ch.isdigit())


def submission_for_number(number: str, phone_last4: str) -> Submission | None:
    """The submission of case ``number`` if the reporter's phone ends with ``phone_last4``; else None.

    A case without a phone cannot be found this way (there is nothing to prove it is yours).
    """
    last4 = _digits(phone_last4)
    if len(last4) != 4 or not number.strip():
        return None
    submission = Submission.objects.select_related("case").filter(case__number=number.strip().upper()).first()
    if submission is None:
        return None
    phone = _digits(submission.case.reporter_phone)
    if len(phone) < 4 or phone[-4:] != last4:
        return None
    return submission


def follow_token(case: Case) -> str:
    """A signed reference to the case for the read-only page neighbours follow ("关注此事").

    The case number is not enough to open anything; the token is only handed out by the nearby endpoint.
    """
    return signing.dumps(case.pk, salt=FOLLOW_SALT, compress=True)


def case_for_follow_token(token: str) -> Case | None:
    try:
        pk = signing.loads(token, salt=FOLLOW_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Case.objects.select_related("category", "merged_into").filter(pk=pk).first()


# --- What the public sees ----------------------------------------------------------------------------------------


def public_title(case: Case) -> str:
    return mask_personal_text(case.title)


def report_count(case: Case) -> int:
    """How many reports this case stands for: itself and the duplicates merged into it."""
    return 1 + case.duplicates.count()


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    verb: str
    label: str
    note: str
    department: str
    place: str


def public_timeline(case: Case, *, for_reporter: bool) -> list[PublicEvent]:
    """The case's public timeline rows, oldest first, without actors."""
    events = list(
        CaseEvent.objects.filter(case=case, public=True)
        .order_by("at", "id")
        .only("at", "verb", "note", "data")
    )
    department_codes = {
        str(event.data.get(_DEPARTMENT_KEYS[event.verb]))
        for event in events
        if event.verb in _DEPARTMENT_KEYS
        and isinstance(event.data, dict)
        and event.data.get(_DEPARTMENT_KEYS[event.verb])
    }
    departments = dict(Department.objects.filter(code__in=department_codes).values_list("code", "name"))
    area_codes = {
        str(event.data.get("to"))
        for event in events
        if event.verb == "escalate" and isinstance(event.data, dict) and event.data.get("to")
    }
    areas = dict(Area.objects.filter(code__in=area_codes).values_list("code", "name"))
    shown_notes = NOTE_VERBS if for_reporter else NOTE_VERBS - REPORTER_NOTE_VERBS
    rows = []
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        key = _DEPARTMENT_KEYS.get(event.verb)
        rows.append(
            PublicEvent(
                at=event.at,
                verb=event.verb,
                label=str(EVENT_LABELS.get(event.verb, event.verb)),
                note=mask_personal_text(event.note) if event.verb in shown_notes else "",
                department=departments.get(str(data.get(key)), "") if key else "",
                place=areas.get(str(data.get("to")), "") if event.verb == "escalate" else "",
            )
        )
    return rows


def public_photos(case: Case) -> tuple[list[CasePhoto], list[CasePhoto]]:
    """The photos of the problem and of the result (pages link to their public copies only)."""
    photos = list(
        CasePhoto.objects.filter(case=case).order_by("uploaded_at", "id").only("id", "kind", "case_id")
    )
    return (
        [photo for photo in photos if photo.kind == CasePhoto.KIND_REPORT],
        [photo for photo in photos if photo.kind == CasePhoto.KIND_RESULT],
    )


# --- Already reported? --------------------------------------------------------------------------------------------


def predict_category(text: str) -> str | None:
    """The category triage predicts for the text (None when the text is too short to say)."""
    text = (text or "").strip()
    if len(text) < MIN_TEXT_FOR_PREDICTION:
        return None
    from gridgov.triage.registry import get_model

    return get_model().model.predict(text).category


@dataclass(frozen=True)
class NearbyCase:
    case: Case
    distance_m: float
    reports: int


def nearby_open_cases(
    *,
    lat: float,
    lon: float,
    category: str,
    now: datetime,
    radius_m: float | None = None,
    days: int = NEARBY_DAYS,
    limit: int = NEARBY_LIMIT,
) -> list[NearbyCase]:
    """Open cases of ``category`` within the duplicate radius of the point (WGS-84), reported in the last
    ``days`` days, nearest first.

    A case's category is the one a person gave or confirmed, else the one triage suggested when it came in.
    """
    radius = float(radius_m if radius_m is not None else settings.GRIDGOV["TRIAGE_DUPLICATE_RADIUS_M"])
    lats, lons = box_around(lat, lon, radius)
    rows = (
        Case.objects.filter(
            lat__range=lats,
            lon__range=lons,
            reported_at__gte=now - timedelta(days=days),
            merged_into__isnull=True,
        )
        .exclude(status__in=TERMINAL)
        .filter(Q(category__code=category) | Q(category__isnull=True, triage__category=category))
        .annotate(merged=Count("duplicates"))
        .only("id", "title", "status", "reported_at", "lat", "lon")
        .order_by("-reported_at")[:200]
    )
    found = []
    for case in rows:
        assert case.lat is not None and case.lon is not None  # noqa: S101 - filtered by the box above
        distance = distance_m(lat, lon, case.lat, case.lon)
        if distance <= radius:
            found.append(NearbyCase(case=case, distance_m=distance, reports=1 + int(case.merged)))
    found.sort(key=lambda item: item.distance_m)
    return found[:limit]
