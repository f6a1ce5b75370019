"""Reads of the staff intake forms: who may use which form, the grids and centers a user reports for, and the
live triage suggestion the forms show while the text is typed.

Who may use which form:

* the patrol report (巡查上报) is for staff who report cases *in an area* (``Verb.REPORT_CASE`` with an area
  rule: grid workers, grid chiefs, dispatchers, leaders). Residents and volunteers may report too, but on the
  resident page: their ``REPORT_CASE`` rule is "anywhere", which says nothing about a patrol;
* the hotline entry (热线录入) is for the operators of a command center: a dispatcher grant names the center
  whose calls they take, and calls without a findable place land there.

``report_case`` remains the authority on the place (``require(actor, Verb.REPORT_CASE, place)``); these checks
decide whether to show a page or a link at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from gridgov.accounts.choices import Role
from gridgov.accounts.permissions import POLICY, Rule, Verb, can_somewhere, grants_of
from gridgov.cases.models import Category
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

#: The suggestion reads at most this much text (a hotline summary or a patrol note is far shorter).
SUGGEST_MAX_CHARS = 2000


# --- Access ------------------------------------------------------------------------------------------------------


def may_patrol(user: Any) -> bool:
    """May ``user`` file patrol reports: a role that reports cases within its own area, with that area set."""
    rules = POLICY[Verb.REPORT_CASE]
    return can_somewhere(user, Verb.REPORT_CASE) and any(
        rules.get(grant.role) is Rule.AREA and bool(grant.area_path) for grant in grants_of(user)
    )


def may_take_calls(user: Any) -> bool:
    """May ``user`` enter hotline calls: a dispatcher of a command center (who may report cases there)."""
    return can_somewhere(user, Verb.REPORT_CASE) and any(
        grant.role == Role.DISPATCHER and bool(grant.area_path) for grant in grants_of(user)
    )


def may_suggest(user: Any) -> bool:
    """The live suggestion serves the two staff forms and nothing else."""
    return may_patrol(user) or may_take_calls(user)


def patrol_grids(user: Any) -> QuerySet[Area]:
    """The grids a user patrols: their grid-worker grids and the grids of the villages they are chief of."""
    grants = grants_of(user)
    worker = [g.area_path for g in grants if g.role == Role.GRID_WORKER and g.area_path]
    chief = [g.area_path for g in grants if g.role == Role.GRID_CHIEF and g.area_path]
    if not (worker or chief):
        return Area.objects.none()
    condition = Q(path__in=worker)
    for path in chief:
        condition |= Q(path__startswith=path)
    return Area.objects.filter(condition, level=AreaLevel.GRID, is_active=True).order_by("path")


def hotline_centers(user: Any) -> QuerySet[Area]:
    """The command centers whose calls ``user`` takes (the areas of their dispatcher grants)."""
    if not may_take_calls(user):
        return Area.objects.none()
    return (
        Area.objects.filter(role_grants__user=user, role_grants__role=Role.DISPATCHER, is_active=True)
        .distinct()
        .order_by("path")
    )


# --- The live suggestion -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """What the forms pre-fill: the top categories with their probability, urgency, request type, place."""

    scores: list[tuple[str, str, float]]
    urgent: bool
    urgent_cues: list[str]
    request_type: str
    place: dict[str, str] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "scores": [[code, name, p] for code, name, p in self.scores],
            "urgent": self.urgent,
            "urgent_cues": self.urgent_cues,
            "request_type": self.request_type,
            "place": self.place,
        }


def find_place(text: str) -> dict[str, str] | None:
    """The smallest area the gazetteer finds named in ``text`` (as ``submit_report``'s triage would)."""
    from gridgov.triage.gazetteer import get_gazetteer

    text = text.strip()
    if not text:
        return None
    gazetteer = get_gazetteer()
    match = gazetteer.find(text)
    if match is None:
        return None
    place = gazetteer.places.get(match.area_code)
    return {"code": match.area_code, "name": place.name if place is not None else match.area_code}


def suggest(text: str, address: str = "") -> Suggestion:
    """The triage model's top-3 categories (active ones, with their names), urgency and request type for
    ``text``, and the place named in ``address`` + ``text``. Empty text suggests nothing (the place named in
    the address alone is still found: an operator often types the address first)."""
    from gridgov.triage.registry import get_model

    text = (text or "").strip()[:SUGGEST_MAX_CHARS]
    address = (address or "").strip()[:SUGGEST_MAX_CHARS]
    place = find_place(f"{address} {text}")
    if not text:
        return Suggestion(scores=[], urgent=False, urgent_cues=[], request_type="", place=place)
    prediction = get_model().model.predict(f"{address} {text}".strip())
    codes = [code for code, _p in prediction.scores]
    names = {
        category.code: category.display_name
        for category in Category.objects.filter(code__in=codes, is_active=True)
    }
    return Suggestion(
        scores=[(code, names[code], float(p)) for code, p in prediction.scores if code in names][:3],
        urgent=bool(prediction.urgent),
        urgent_cues=list(prediction.urgent_cues),
        request_type=prediction.request_type,
        place=place,
    )
