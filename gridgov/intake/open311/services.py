"""Open311 services: our active categories, with the group, keywords and attributes kept in
``data/services.json``, and the validation of the attributes a client posts.

A service is a category (``service_code`` = the category code). Every service asks for ``request_type`` (our six
request types, optional: triage fills it when it is missing) plus the attributes of its category. Names come in
Chinese with English beside them; the active language picks one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from gridgov.cases.choices import RequestType
from gridgov.cases.models import Category
from gridgov.core.bilingual import english_active
from gridgov.intake.open311.dates import parse_w3c

SERVICES_FILE = Path(__file__).resolve().parent / "data" / "services.json"

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
MAX_LENGTH = {"string": 255, "text": 4000}
REQUEST_TYPE = "request_type"


@dataclass(frozen=True)
class Name:
    """A text in Chinese (the reference) and English."""

    zh: str
    en: str = ""

    def __str__(self) -> str:
        return self.en if english_active() and self.en else self.zh

    @classmethod
    def of(cls, value: Any) -> Name:
        if isinstance(value, Mapping):
            return cls(str(value.get("zh", "")), str(value.get("en", "")))
        return cls(str(value or ""))


@dataclass(frozen=True)
class Value:
    key: str
    name: Name


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: Name
    datatype_description: Name
    values: tuple[Value, ...] = ()

    def keys(self) -> list[str]:
        return [value.key for value in self.values]

    def as_open311(self, order: int) -> dict[str, Any]:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": str(self.datatype_description),
            "order": order,
            "description": str(self.description),
            "values": [{"key": value.key, "name": str(value.name)} for value in self.values],
        }


@dataclass(frozen=True)
class ServiceInfo:
    """What data/services.json says about one category."""

    group: Name
    keywords_zh: tuple[str, ...]
    keywords_en: tuple[str, ...]
    public_description: bool
    attributes: tuple[Attribute, ...]

    @property
    def keywords(self) -> str:
        words = self.keywords_en if english_active() and self.keywords_en else self.keywords_zh
        return ", ".join(words)


def _request_type_attribute() -> Attribute:
    # Labels are translated when rendered: RequestType's labels are lazy, so build names at call time.
    return Attribute(
        code=REQUEST_TYPE,
        datatype="singlevaluelist",
        required=False,
        description=Name(_("Request type")),
        datatype_description=Name(_("Empty: the platform decides from the description.")),
        values=tuple(Value(key, Name(str(label))) for key, label in RequestType.choices),
    )


def _attribute(entry: Mapping[str, Any], yes_no: list[Any]) -> Attribute:
    datatype = entry["datatype"]
    if datatype not in DATATYPES:
        raise ValueError(f"services.json: unknown datatype {datatype!r} of {entry['code']!r}")
    raw_values = yes_no if entry.get("values") == "yes_no" else entry.get("values", [])
    values = tuple(Value(str(v["key"]), Name.of(v["name"])) for v in raw_values)
    if datatype in LIST_TYPES and not values:
        raise ValueError(f"services.json: list attribute {entry['code']!r} has no values")
    return Attribute(
        code=str(entry["code"]),
        datatype=datatype,
        required=bool(entry.get("required", False)),
        description=Name.of(entry.get("description", "")),
        datatype_description=Name.of(entry.get("datatype_description", "")),
        values=values,
    )


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, Name], dict[str, ServiceInfo]]:
    data = json.loads(SERVICES_FILE.read_text(encoding="utf-8"))
    groups = {key: Name.of(value) for key, value in data["groups"].items()}
    services: dict[str, ServiceInfo] = {}
    for code, entry in data["services"].items():
        attributes = tuple(_attribute(a, data["yes_no"]) for a in entry.get("attributes", []))
        if REQUEST_TYPE in {a.code for a in attributes}:
            raise ValueError(f"services.json: {code!r} must not define request_type (every service has it)")
        services[code] = ServiceInfo(
            group=groups[entry.get("group", "other")],
            keywords_zh=tuple(entry.get("keywords", {}).get("zh", [])),
            keywords_en=tuple(entry.get("keywords", {}).get("en", [])),
            public_description=bool(entry.get("public_description", True)),
            attributes=attributes,
        )
    return groups, services


def service_info(code: str) -> ServiceInfo:
    """The group, keywords and attributes of a category; a category the file does not know gets the defaults."""
    groups, services = _catalogue()
    return services.get(code) or ServiceInfo(
        group=groups["other"], keywords_zh=(), keywords_en=(), public_description=True, attributes=()
    )


def attributes_of(code: str) -> list[Attribute]:
    """All attributes of a service in order: request_type first, then the category's own."""
    return [_request_type_attribute(), *service_info(code).attributes]


def active_categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))


def service_payload(category: Category) -> dict[str, Any]:
    info = service_info(category.code)
    return {
        "service_code": category.code,
        "service_name": category.display_name,
        "description": category.description,
        "metadata": True,  # every service has at least request_type
        "type": "realtime",
        "keywords": info.keywords,
        "group": str(info.group),
    }


def definition_payload(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [a.as_open311(order) for order, a in enumerate(attributes_of(category.code), start=1)],
    }


# --- Validation of posted attributes ------------------------------------------------------------------------------


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _number(value: str) -> int | float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def clean_attributes(code: str, posted: Mapping[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Check posted ``attribute[code]`` values against the service definition.

    ``posted`` maps attribute codes to the values sent (``attribute[x]=a`` and ``attribute[x][]=a&…``).
    Returns the cleaned values (numbers as numbers, date-times as ISO strings, multi-value lists as lists) and
    the error messages, one per problem.
    """
    definitions = {a.code: a for a in attributes_of(code)}
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for name in posted:
        if name not in definitions:
            errors.append(
                _("The attribute %(code)s is not defined for the service %(service)s.")
                % {"code": _short(name), "service": code}
            )
    for attribute in definitions.values():
        values = [v.strip() for v in posted.get(attribute.code, []) if v.strip()]
        if not values:
            if attribute.required:
                errors.append(_("The attribute %(code)s is required.") % {"code": attribute.code})
            continue
        if attribute.datatype != "multivaluelist" and len(values) > 1:
            errors.append(_("The attribute %(code)s takes a single value.") % {"code": attribute.code})
            continue
        value = values[0]
        if attribute.datatype in LIST_TYPES:
            allowed = attribute.keys()
            wrong = [v for v in values if v not in allowed]
            if wrong:
                errors.append(
                    _("The value %(value)s is not allowed for the attribute %(code)s; use one of: %(keys)s.")
                    % {"value": _short(wrong[0]), "code": attribute.code, "keys": ", ".join(allowed)}
                )
                continue
            cleaned[attribute.code] = (
                list(dict.fromkeys(values)) if attribute.datatype == "multivaluelist" else value
            )
        elif attribute.datatype == "number":
            number = _number(value)
            if number is None:
                errors.append(_("The attribute %(code)s must be a number.") % {"code": attribute.code})
                continue
            cleaned[attribute.code] = number
        elif attribute.datatype == "datetime":
            moment: datetime | None = parse_w3c(value)
            if moment is None:
                errors.append(
                    _("The attribute %(code)s must be a W3C date-time (e.g. 2026-05-14T09:30:00+08:00).")
                    % {"code": attribute.code}
                )
                continue
            cleaned[attribute.code] = moment.isoformat()
        else:
            limit = MAX_LENGTH[attribute.datatype]
            if len(value) > limit:
                errors.append(
                    _("The attribute %(code)s is too long (at most %(max)d characters).")
                    % {"code": attribute.code, "max": limit}
                )
                continue
            cleaned[attribute.code] = value
    return cleaned, errors


def attribute_summary(code: str, cleaned: Mapping[str, Any]) -> str:
    """The list, number and date-time attributes as one Chinese line for the case text, which dispatchers read
    (free-text attributes stay in the submission's details: they may hold personal data)."""
    parts: list[str] = []
    for attribute in service_info(code).attributes:
        if attribute.code not in cleaned or attribute.datatype in MAX_LENGTH:
            continue
        value = cleaned[attribute.code]
        if attribute.datatype in LIST_TYPES:
            names = {v.key: v.name.zh for v in attribute.values}
            keys: Iterable[str] = value if isinstance(value, list) else [value]
            shown = "、".join(names[k] for k in keys)
        else:
            shown = str(value)
        parts.append(f"{attribute.description.zh}：{shown}")
    return "；".join(parts)
