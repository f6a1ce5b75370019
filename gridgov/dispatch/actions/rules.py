"""Departments and routing rules (分拨规则): validated and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases.models import Category
from gridgov.core.audit import record, save_audited
from gridgov.dispatch.models import Department, RoutingRule
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

DEPARTMENT_FIELDS = {"name", "kind", "area", "phone", "is_active"}


def save_department(
    *, actor: User, code: str, name: str, kind: str, area: Area, phone: str = "", is_active: bool = True
) -> Department:
    """Create or update (by code) a department serving ``area``. Grids are too small to have departments."""
    require(actor, Verb.MANAGE_DEPARTMENTS)
    if area.level == AreaLevel.GRID:
        raise ValidationError(
            {"area": _("A department serves a village, town, district or city, not a grid.")}
        )
    with transaction.atomic():
        department = Department.objects.filter(code=code).first() or Department(code=code)
        created = department.pk is None
        values = {"name": name, "kind": kind, "area_id": area.pk, "phone": phone, "is_active": is_active}
        if not created and all(getattr(department, field) == value for field, value in values.items()):
            return department  # nothing changes: no write, no audit row
        for field, value in values.items():
            setattr(department, field, value)
        save_audited(actor=actor, obj=department, noun="department")
    return department


def validate_rule(*, area: Area | None, lead: Department, helpers: list[Department]) -> None:
    """The lead and every helper must serve the rule's whole area."""
    errors: dict[str, list[str]] = {}
    if area is None:
        if lead.area.parent_id is not None:
            errors.setdefault("lead", []).append(
                _("A rule for everywhere needs a lead department that serves the whole region.")
            )
    elif not lead.area.contains(area):
        errors.setdefault("lead", []).append(
            _("%(department)s does not serve %(area)s.") % {"department": lead.name, "area": area.name}
        )
    for helper in helpers:
        if area is not None and not helper.area.contains(area):
            errors.setdefault("helpers", []).append(
                _("%(department)s does not serve %(area)s.") % {"department": helper.name, "area": area.name}
            )
        if helper.pk == lead.pk:
            errors.setdefault("helpers", []).append(_("The lead department cannot also be a helper."))
    if errors:
        raise ValidationError(errors)


def save_routing_rule(
    *,
    actor: User,
    category: Category,
    area: Area | None,
    lead: Department,
    helpers: list[Department] | None = None,
    note: str = "",
    is_active: bool = True,
) -> RoutingRule:
    """Create or replace the rule for ``category`` in ``area`` (one rule per category and area)."""
    require(actor, Verb.MANAGE_ROUTING, area)
    helpers = helpers or []
    validate_rule(area=area, lead=lead, helpers=helpers)
    with transaction.atomic():
        rule = RoutingRule.objects.filter(category=category, area=area).first() or RoutingRule(
            category=category, area=area
        )
        created = rule.pk is None
        if (
            not created
            and (rule.lead_id, rule.note, rule.is_active) == (lead.pk, note, is_active)
            and {helper.pk for helper in rule.helpers.all()} == {helper.pk for helper in helpers}
        ):
            return rule  # nothing changes: no write, no audit row
        rule.lead, rule.note, rule.is_active = lead, note, is_active
        rule.save()
        rule.helpers.set(helpers)
        record(
            actor=actor,
            verb="create_routing_rule" if created else "update_routing_rule",
            target=rule,
            summary=str(rule),
            data={"lead": lead.code, "helpers": [helper.code for helper in helpers]},
        )
    return rule


def delete_routing_rule(*, actor: User, rule: RoutingRule) -> None:
    require(actor, Verb.MANAGE_ROUTING, rule.area)
    with transaction.atomic():
        summary = str(rule)
        rule.delete()
        record(actor=actor, verb="delete_routing_rule", summary=summary)
