"""Writes on Open311 API keys: issuing one (the raw key is returned once, only its hash is kept) and changing it.

Keys are credentials of outside systems, so managing them is an administrator's job (``Verb.MANAGE_USERS``),
every change is audited, and neither the raw key nor its hash ever reaches the audit trail or a log.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.core.audit import record
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.intake.models import ApiKey, hash_key

#: Levels of area a key (and an Open311 ``jurisdiction_id``) may be limited to.
JURISDICTION_LEVELS = (AreaLevel.DISTRICT, AreaLevel.TOWN)

#: Fields ``update_api_key`` may change.
EDITABLE_KEY_FIELDS = {"jurisdiction", "contact", "is_active"}

#: ``last_used_at`` is refreshed at most this often, so a busy client does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _check_jurisdiction(jurisdiction: Area | None) -> None:
    if jurisdiction is not None and (
        jurisdiction.level not in JURISDICTION_LEVELS or not jurisdiction.is_active
    ):
        raise ValidationError({"jurisdiction": _("A key can only be limited to an active town or district.")})


def issue_api_key(
    *, actor: User, name: str, jurisdiction: Area | None = None, contact: str = ""
) -> tuple[ApiKey, str]:
    """Issue a key for an Open311 client. Returns the key record and the raw key, which is not stored anywhere:
    the caller shows it once. The record keeps the SHA-256 of the key and its first 8 characters (to recognise
    it in lists)."""
    require(actor, Verb.MANAGE_USERS)
    name = (name or "").strip()
    contact = (contact or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the key a name (the client system it is for).")
    elif ApiKey.objects.filter(name=name).exists():
        errors["name"] = _("A key with this name exists already.")
    if errors:
        raise ValidationError(errors)
    _check_jurisdiction(jurisdiction)
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey(
            name=name,
            prefix=raw[:8],
            key_hash=hash_key(raw),
            jurisdiction=jurisdiction,
            contact=contact,
            created_by=actor,
        )
        key.full_clean()
        key.save()
        record(
            actor=actor,
            verb="issue_api_key",
            target=key,
            summary=str(key),
            data={"jurisdiction": jurisdiction.code if jurisdiction else None},
        )
    return key, raw


def update_api_key(*, actor: User, key: ApiKey, changes: dict[str, object]) -> ApiKey:
    """Change a key's jurisdiction, contact or active flag (a deactivated key is refused at once)."""
    require(actor, Verb.MANAGE_USERS)
    unknown = set(changes) - EDITABLE_KEY_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    if "jurisdiction" in changes:
        jurisdiction = changes["jurisdiction"]
        assert jurisdiction is None or isinstance(jurisdiction, Area)  # noqa: S101 - typed by the callers
        _check_jurisdiction(jurisdiction)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        for field, value in changes.items():
            setattr(key, field, value)
        key.full_clean()
        key.save()
        data: dict[str, object] = {"fields": sorted(changes)}
        if "is_active" in changes:
            data["is_active"] = bool(changes["is_active"])
        if "jurisdiction" in changes:
            data["jurisdiction"] = key.jurisdiction.code if key.jurisdiction else None
        record(actor=actor, verb="update_api_key", target=key, summary=str(key), data=data)
    return key


def note_key_used(key: ApiKey) -> None:
    """Bookkeeping, not an audited change: refresh ``last_used_at`` when it is older than a few minutes."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
