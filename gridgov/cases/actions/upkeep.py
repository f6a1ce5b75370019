"""Writes that keep the cases app in order: the taxonomy (categories) and deadlines recomputed when a year's
holiday schedule arrives."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases.deadlines import apply_resolve_deadline
from gridgov.cases.models import Case, Category
from gridgov.cases.timeline import lock_case, record_event, save_case
from gridgov.cases.workflow import TERMINAL
from gridgov.core.audit import save_audited

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
        for field, value in values.items():
            setattr(category, field, value)
        save_audited(actor=actor, obj=category, noun="category", data={"fields": sorted(values)})
    return category


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
