"""The in-app inbox (``Notification``) and the record of outbound attempts (``Delivery``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.choices import DeliveryStatus, NotificationKind


def validate_relative_link(value: str) -> None:
    """A link must stay on this site: a path starting with one "/".

    "//host/…" and "/\\host/…" are read by browsers as another host, so the open endpoint would become an open
    redirect; they are refused here, when the row is written, not only when it is followed.
    """
    if not value:
        return
    if not value.startswith("/") or value.startswith(("//", "/\\")) or any(ch in value for ch in "\r\n\t"):
        raise ValidationError(
            _("The link must be a path on this site starting with “/”."), code="invalid_link"
        )


class Notification(models.Model):
    """One message in a user's inbox: "case 2026-0042 was assigned to your department", "… is overdue".

    The inbox row is always written, in the transaction of the action that caused it, so the inbox never claims
    something that was rolled back. Outbound channels (email, webhook, SMS…) are tried after the commit and
    recorded in ``Delivery``. The target is a (type, id) pair like ``core.AuditEntry`` so this app depends on no
    domain app; the ``link`` is what the user follows. ``title`` and ``body`` are stored already translated (in
    the language the sender chose), because the reader's language at reading time is not known when writing.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # notif_inbox_idx starts with the recipient; a second index would only cost writes
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True, validators=[validate_relative_link])
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox and the unread badge: one user's rows, unread first, newest first.
            models.Index(fields=["recipient", "read_at", "created_at"], name="notif_inbox_idx"),
            models.Index(fields=["target_type", "target_id"], name="notif_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.kind} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """The latest attempt to send one notification through one outbound channel.

    One row per (notification, channel): a retry updates ``attempts``, ``status`` and ``last_error`` instead of
    adding rows, and a channel already ``sent`` is not tried again, so delivery can safely run twice (a task
    queue retrying). Failures are never raised to the action that notified; this table, the admin and the log
    are where they show.
    """

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
        db_index=False,  # the unique (notification, channel) constraint's index serves lookups by notification
    )
    channel = models.CharField(_("channel"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notif_delivery_once_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} · {self.channel} · {self.status}"
