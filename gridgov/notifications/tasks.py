"""Outbound delivery: the work that runs after the commit, in-process by default, in a task queue later.

``deliver`` takes notification ids (not objects) so a queue can serialise the call; it is idempotent per
(notification, channel): a channel that already sent is not tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.module_loading import import_string

from gridgov.notifications.channels import Channel, Skip, configured_channels, setting
from gridgov.notifications.choices import DeliveryStatus
from gridgov.notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

#: Longest error text kept on a Delivery row; the full traceback is in the log.
ERROR_LIMIT = 2000


def deliver(notification_ids: Iterable[int]) -> list[Delivery]:
    """Send each notification through every configured channel and record the outcomes.

    A channel's failure is recorded (``failed``, with the error) and logged, never raised: one broken gateway
    must not stop the others or the remaining notifications. Returns the Delivery rows touched or found sent.
    """
    ids = list(dict.fromkeys(notification_ids))
    channels = configured_channels()
    if not ids or not channels:
        return []
    deliveries: list[Delivery] = []
    notifications = Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk")
    for notification in notifications:
        for channel in channels:
            deliveries.append(_attempt(notification, channel))
    return deliveries


def _attempt(notification: Notification, channel: Channel) -> Delivery:
    delivery = Delivery.objects.filter(notification=notification, channel=channel.name).first()
    if delivery is not None and delivery.status == DeliveryStatus.SENT:
        return delivery
    status, error = DeliveryStatus.SENT, ""
    try:
        channel.send(notification)
    except Skip as exc:
        status, error = DeliveryStatus.SKIPPED, str(exc)
    except Exception as exc:
        status, error = DeliveryStatus.FAILED, f"{type(exc).__name__}: {exc}"
        logger.warning("notification %s: channel %s failed", notification.pk, channel.name, exc_info=True)
    if delivery is None:
        delivery = Delivery(notification=notification, channel=channel.name)
    delivery.status = status
    delivery.last_error = error[:ERROR_LIMIT]
    delivery.attempts += 1
    delivery.at = timezone.now()
    delivery.save()
    return delivery


def _runner() -> Callable[[list[int]], object]:
    """``GRIDGOV["NOTIFY_DELIVER"]``: a dotted path to a callable taking the list of ids (e.g. one that puts a
    job on a task queue). Default: ``deliver`` itself, in-process, right after the commit."""
    path = str(setting("NOTIFY_DELIVER", "") or "")
    runner: Callable[[list[int]], object] = import_string(path) if path else deliver
    return runner


def schedule_delivery(notification_ids: list[int]) -> None:
    """Run (or enqueue) delivery of committed notifications; called from ``transaction.on_commit``.

    Never raises: the action that notified has already committed and its caller must not see an error for a
    side effect. Problems are logged; per-channel outcomes are in ``Delivery``.
    """
    try:
        _runner()(notification_ids)
    except Exception:
        logger.exception("delivery of notifications %s could not run", notification_ids)
