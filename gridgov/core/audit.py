"""Writing the audit trail. Actions call ``record`` inside their transaction, so the row commits with the change."""

from __future__ import annotations

from typing import Any

from django.db import models

from gridgov.core.models import AuditEntry


def record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row: who (``actor``) did what (``verb``) to which record, with details."""
    return AuditEntry.objects.create(
        actor=actor,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:255],
        data=data or {},
    )


def save_audited(*, actor: Any, obj: Any, noun: str, data: dict[str, Any] | None = None) -> None:
    """Validate and save a reference record that has a ``code`` and a ``name`` (a category, a department, an alert
    rule) and append its ``create_<noun>`` or ``update_<noun>`` audit row. Runs inside the caller's transaction."""
    created = obj.pk is None
    obj.full_clean()
    obj.save()
    record(
        actor=actor,
        verb=f"create_{noun}" if created else f"update_{noun}",
        target=obj,
        summary=f"{obj.code} {obj.name}",
        data=data,
    )
