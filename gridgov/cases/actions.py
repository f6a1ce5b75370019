"""Writes of the cases app. For now: editing the taxonomy (the case workflow arrives with the lifecycle)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases.models import Category
from gridgov.core.audit import record

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
