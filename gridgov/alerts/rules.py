"""The parameters of each rule kind: names, types, defaults and bounds, and their validation.

A rule's thresholds are data (``AlertRule.params``, a JSON object edited in the admin). ``validate_params`` checks
an object against its kind's specification and returns it completed with the defaults, so a rule saved before a
parameter existed keeps working; the detectors read only validated parameters. docs/alerts.md explains each one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.alerts.choices import RuleKind
from gridgov.geo.choices import AreaLevel


@dataclass(frozen=True)
class Param:
    """One parameter: its JSON type (``int``, ``float``, ``bool`` or ``levels``), default and inclusive bounds."""

    type: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None


PARAMS: dict[str, dict[str, Param]] = {
    RuleKind.REPEAT_DISPUTE: {
        # A report is "again" when an earlier related report lies at most window_days and at least min_gap_hours
        # before it (reports closer in time are the same incident reported twice, not a repeat).
        "window_days": Param("int", 30, 1, 365),
        "min_gap_hours": Param("float", 12.0, 0, 24 * 30),
        "min_reports": Param("int", 2, 2, 100),
        # Same place: within distance_m (0: off), or in the same grid with addresses at least this similar.
        "distance_m": Param("int", 100, 0, 5000),
        "match_address": Param("bool", True),
        "address_similarity": Param("float", 0.6, 0.3, 1.0),
        # Same parties: the same reporter phone; the same distinctive reporter name, or one report's reporter
        # named in the other report's text (same village or community).
        "match_phone": Param("bool", True),
        "match_names": Param("bool", True),
        "include_merged": Param("bool", True),
    },
    RuleKind.SURGE: {
        "window_days": Param("int", 7, 1, 90),
        "baseline_periods": Param("int", 8, 2, 52),
        "k": Param("float", 2.0, 0, 10),
        "min_count": Param("int", 5, 1, 10000),
        "levels": Param("levels", [AreaLevel.TOWN, AreaLevel.VILLAGE]),
        "cooldown_days": Param("int", 7, 0, 365),
        "include_merged": Param("bool", False),
    },
    RuleKind.URGENT_CLUSTER: {
        "min_count": Param("int", 3, 2, 1000),
        "radius_m": Param("int", 500, 10, 20000),
        "window_hours": Param("float", 2.0, 0.1, 72),
        "lookback_hours": Param("float", 24.0, 1, 24 * 14),
        "include_merged": Param("bool", True),
    },
}

#: Area levels a surge rule may count in.
SURGE_LEVELS = (AreaLevel.DISTRICT, AreaLevel.TOWN, AreaLevel.VILLAGE, AreaLevel.GRID)


def defaults(kind: str) -> dict[str, Any]:
    """The default parameters of a kind (a fresh copy)."""
    return {name: _copy(spec.default) for name, spec in PARAMS[kind].items()}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def validate_params(kind: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` checked against ``kind`` and completed with defaults; ``ValidationError`` on "params" (or
    "kind") naming every problem."""
    if kind not in PARAMS:
        raise ValidationError({"kind": _("Unknown rule kind.")})
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ValidationError({"params": _("The parameters must be a JSON object.")})
    specs = PARAMS[kind]
    errors: list[str] = []
    for name in sorted(set(params) - set(specs)):
        errors.append(
            _("Unknown parameter “%(name)s”; this kind knows: %(known)s.")
            % {"name": name, "known": ", ".join(specs)}
        )
    result = defaults(kind)
    for name, spec in specs.items():
        if name not in params:
            continue
        value, problem = _check(name, spec, params[name])
        if problem:
            errors.append(problem)
        else:
            result[name] = value
    if errors:
        raise ValidationError({"params": errors})
    return result


def _check(name: str, spec: Param, value: Any) -> tuple[Any, str]:
    if spec.type == "bool":
        if not isinstance(value, bool):
            return None, _("“%(name)s” must be true or false.") % {"name": name}
        return value, ""
    if spec.type == "levels":
        if (
            not isinstance(value, list)
            or not value
            or any(not isinstance(level, str) or level not in SURGE_LEVELS for level in value)
        ):
            return None, _("“%(name)s” must be a non-empty list of: %(levels)s.") % {
                "name": name,
                "levels": ", ".join(SURGE_LEVELS),
            }
        return sorted(set(value), key=SURGE_LEVELS.index), ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, _("“%(name)s” must be a number.") % {"name": name}
    if spec.type == "int":
        if isinstance(value, float) and not value.is_integer():
            return None, _("“%(name)s” must be a whole number.") % {"name": name}
        value = int(value)
    else:
        value = float(value)
    low = spec.minimum if spec.minimum is not None else value
    high = spec.maximum if spec.maximum is not None else value
    if not low <= value <= high:
        return None, _("“%(name)s” must lie between %(low)s and %(high)s.") % {
            "name": name,
            "low": _number(low),
            "high": _number(high),
        }
    return value, ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
