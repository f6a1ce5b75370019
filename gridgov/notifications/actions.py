"""Writes of the notifications app: telling users about something, and users marking what they have read."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.notifications.channels import channel_paths
from gridgov.notifications.choices import NotificationKind
from gridgov.notifications.models import Notification, validate_relative_link
from gridgov.notifications.tasks import schedule_delivery

TITLE_LIMIT = Notification._meta.get_field("title").max_length or 200


def notify(
    *,
    actor: User | None,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Put a notification in each recipient's inbox and send it through the outbound channels after commit.

    Called by other actions (assign, return, supervise…) inside their transaction, after their own permission
    check; telling someone about an action needs no permission of its own, so none is checked here. The rows are
    written in the caller's transaction (they disappear with it on rollback) and outbound delivery is scheduled
    with ``transaction.on_commit``, so nothing leaves the platform for a change that did not happen.

    Recipients are de-duplicated; inactive users and the actor (who knows what they just did) are skipped.
    ``actor`` is None for what nobody signed in did (an anonymous resident's report, a sweep).
    ``title`` and ``body`` are final text, already translated by the caller. ``link`` is a path on this site.
    Returns the notifications written (possibly none).
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not title.strip():
        raise ValueError("a notification needs a title")
    try:
        validate_relative_link(link)
    except ValidationError as exc:
        raise ValueError(f"invalid notification link {link!r}: {exc.messages[0]}") from exc
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"

    unique: dict[int, User] = {}
    for user in recipients:
        if user.pk is not None and user.is_active and (actor is None or user.pk != actor.pk):
            unique.setdefault(user.pk, user)
    if not unique:
        return []

    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            link=link,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            data=data or {},
            created_at=now,
        )
        for user in unique.values()
    ]
    # Inside the action's transaction no savepoint: the inbox rows commit or roll back with the action.
    with transaction.atomic(savepoint=False):
        created = Notification.objects.bulk_create(rows)
        if channel_paths():
            ids = [row.pk for row in created]
            transaction.on_commit(partial(schedule_delivery, ids))
    return created


def mark_read(*, actor: User, notifications: Iterable[Notification]) -> int:
    """Mark notifications of ``actor`` as read; returns how many were unread. Only the recipient may.

    A user's own inbox is not audited: reading one's messages changes nothing anyone else relies on.
    """
    items = list(notifications)
    if any(item.recipient_id != actor.pk for item in items):
        raise PermissionDenied(_("You can only mark your own notifications as read."))
    unread = [item for item in items if item.read_at is None]
    if not unread:
        return 0
    now = timezone.now()
    count = Notification.objects.filter(
        pk__in=[item.pk for item in unread], recipient=actor, read_at__isnull=True
    ).update(read_at=now)
    for item in unread:
        item.read_at = now
    return count


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of ``actor`` as read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
