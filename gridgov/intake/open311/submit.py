"""``POST requests``: turn a GeoReport form into an ``Intake`` and hand it to ``intake.actions.submit_report``.

Checked here, before anything is written: the service (404 when unknown), the location (lat/long, an
address_string, or an address_id that is one of our grid codes), the attributes against the service definition,
the contact fields, and that the place lies inside the key's jurisdiction (403 otherwise) and inside the
request's ``jurisdiction_id`` (400 otherwise). A point outside every grid is refused with 400.
``media_url`` is kept as text and never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import QueryDict
from django.utils.translation import gettext as _

from gridgov.cases.choices import Channel
from gridgov.cases.models import Category
from gridgov.cases.selectors import category_by_code
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.geo.selectors import grid_for_point
from gridgov.intake.actions import Intake, Submitted, submit_report
from gridgov.intake.keys import JURISDICTION_LEVELS
from gridgov.intake.models import ApiKey
from gridgov.intake.open311.errors import Open311Error
from gridgov.intake.open311.services import REQUEST_TYPE, attribute_summary, clean_attributes
from gridgov.triage.gazetteer import Place as NamedPlace
from gridgov.triage.gazetteer import get_gazetteer

MAX_DESCRIPTION = 4000
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Place:
    """Where the report is: a grid found from the point or the address_id, else the area to hand it to."""

    lat: float | None
    lon: float | None
    grid: Area | None
    intake_area: Area | None


def posted_attributes(params: QueryDict) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&attribute[code][]=v2`` → {code: [values]}."""
    found: dict[str, list[str]] = {}
    for name in params:
        match = _ATTRIBUTE.match(name)
        if match:
            found.setdefault(match.group(1), []).extend(params.getlist(name))
    return found


def _text(params: QueryDict, name: str, limit: int, errors: list[str]) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > limit:
        errors.append(
            _("%(field)s is too long (at most %(max)d characters).") % {"field": name, "max": limit}
        )
        return ""
    return value


def _coordinate(params: QueryDict, errors: list[str]) -> tuple[float | None, float | None]:
    lat_text, lon_text = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        errors.append(_("Give both lat and long."))
        return None, None
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        errors.append(_("lat and long must be decimal degrees (WGS-84)."))
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors.append(_("lat and long must be decimal degrees (WGS-84)."))
        return None, None
    return lat, lon


def _check_inside(area_path: str, key: ApiKey, jurisdiction: Area | None) -> None:
    if key.jurisdiction is not None and not area_path.startswith(key.jurisdiction.path):
        raise Open311Error(
            403,
            _("This api_key may only submit requests in %(area)s.") % {"area": key.jurisdiction.name},
        )
    if jurisdiction is not None and not area_path.startswith(jurisdiction.path):
        raise Open311Error(
            400, _("The place lies outside the jurisdiction %(area)s.") % {"area": jurisdiction.name}
        )


def _narrower(key: ApiKey, jurisdiction: Area | None) -> Area | None:
    """The smaller of the key's jurisdiction and the request's (403 when they do not overlap)."""
    if key.jurisdiction is None or jurisdiction is None:
        return jurisdiction or key.jurisdiction
    if key.jurisdiction.contains(jurisdiction):
        return jurisdiction
    if jurisdiction.contains(key.jurisdiction):
        return key.jurisdiction
    raise Open311Error(
        403, _("This api_key may only submit requests in %(area)s.") % {"area": key.jurisdiction.name}
    )


def locate(
    *,
    lat: float | None,
    lon: float | None,
    address: str,
    address_id: str,
    text: str,
    key: ApiKey,
    jurisdiction: Area | None,
) -> Place:
    """Find the grid (or the area to hand the report to) and check it against the jurisdictions."""
    limit = _narrower(key, jurisdiction)
    if lat is not None and lon is not None:
        grid = grid_for_point(lat, lon)
        if grid is None:
            raise Open311Error(
                400,
                _("The point (%(lat)s, %(long)s) lies outside every grid of the platform.")
                % {"lat": lat, "long": lon},
            )
        _check_inside(grid.path, key, jurisdiction)
        return Place(lat, lon, grid, None)
    if address_id:
        grid = Area.objects.filter(code=address_id, level=AreaLevel.GRID, is_active=True).first()
        if grid is None:
            raise Open311Error(400, _("Unknown address_id: use the code of one of our grids."))
        _check_inside(grid.path, key, jurisdiction)
        return Place(None, None, grid, None)
    # An address only: triage finds the place named in "address + text" with the gazetteer; look first, so a
    # place outside the jurisdictions is refused before anything is written.
    gazetteer = get_gazetteer()
    match = gazetteer.find(f"{address} {text}".strip())
    found = gazetteer.places.get(match.area_code) if match is not None else None
    if found is None:
        return Place(None, None, None, limit)
    _check_inside(found.path, key, jurisdiction)
    if found.level == AreaLevel.GRID:
        return Place(None, None, Area.objects.filter(code=found.code, is_active=True).first(), None)
    # A village or community named without its grid: the command center above it takes the report.
    node: NamedPlace | None = found
    while node is not None and node.level not in JURISDICTION_LEVELS:
        node = gazetteer.places.get(node.parent_code) if node.parent_code else None
    center = Area.objects.filter(code=node.code).first() if node is not None else None
    return Place(None, None, None, center or limit)


def _reporter_name(first: str, last: str) -> str:
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _category(service_code: str) -> Category:
    if not service_code:
        raise Open311Error(400, _("service_code is required."))
    category = category_by_code(service_code)
    if category is None:
        raise Open311Error(404, _("Unknown service_code %(code)s.") % {"code": service_code[:40]})
    return category


def create_request(*, params: QueryDict, key: ApiKey, jurisdiction: Area | None, sender: str) -> Submitted:
    """Validate a GeoReport POST and submit it as a report of the ``open311`` channel."""
    category = _category((params.get("service_code") or "").strip())
    errors: list[str] = []
    lat, lon = _coordinate(params, errors)
    address = _text(params, "address_string", 255, errors)
    address_id = _text(params, "address_id", 32, errors)
    description = _text(params, "description", MAX_DESCRIPTION, errors)
    email = _text(params, "email", 254, errors)
    phone = _text(params, "phone", 20, errors)
    first_name = _text(params, "first_name", 32, errors)
    last_name = _text(params, "last_name", 32, errors)
    device_id = _text(params, "device_id", 100, errors)
    account_id = _text(params, "account_id", 100, errors)
    media = _text(params, "media_url", 1000, errors)
    coordinates_given = bool((params.get("lat") or "").strip() or (params.get("long") or "").strip())
    if not coordinates_given and not address and not address_id:
        errors.append(_("Give the location: lat and long, address_string or address_id."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("email is not a valid e-mail address."))
    if media:
        try:
            _url(media)
        except ValidationError:
            errors.append(_("media_url must be an http or https URL."))
    attributes, attribute_errors = clean_attributes(category.code, posted_attributes(params))
    errors.extend(attribute_errors)
    if errors:
        raise Open311Error(400, errors)

    place = locate(
        lat=lat,
        lon=lon,
        address=address,
        address_id=address_id,
        text=description,
        key=key,
        jurisdiction=jurisdiction,
    )
    summary = attribute_summary(category.code, attributes)
    text = description or category.name
    if summary:
        text = f"{text}\n（{summary}）"
    extra: dict[str, Any] = {
        "service_code": category.code,
        "attributes": attributes,
        "device_id": device_id,
        "account_id": account_id,
        "email": email,
        "media_url": media,
        "address_id": address_id,
    }
    intake = Intake(
        channel=Channel.OPEN311,
        text=text,
        category=category,
        request_type=str(attributes.get(REQUEST_TYPE, "")),
        lat=place.lat,
        lon=place.lon,
        address=address,
        grid=place.grid,
        intake_area=place.intake_area,
        reporter_name=_reporter_name(first_name, last_name)[:64],
        reporter_phone=phone,
        source=key.name,
        api_key=key,
        sender=sender,
        extra={name: value for name, value in extra.items() if value not in ("", {}, None)},
    )
    try:
        return submit_report(actor=None, intake=intake)
    except ValidationError as exc:
        raise Open311Error(400, _messages(exc)) from exc


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        details: Mapping[str, list[str]] = exc.message_dict
        return [message for messages in details.values() for message in messages]
    return list(exc.messages)
