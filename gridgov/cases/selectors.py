"""Reads of the cases app shared by pages, API and other apps."""

from __future__ import annotations

from django.db.models import QuerySet

from gridgov.cases.models import Category


def active_categories() -> QuerySet[Category]:
    """The categories residents and dispatchers choose from, in the town's order."""
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")
