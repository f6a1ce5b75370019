"""Working-day calendar (placeholder until implemented)."""

from __future__ import annotations


def missing_schedule_years() -> list[int]:
    return []
