"""Intake records: where each report came from, the key of the Open311 client that sent it, import batches.

The case itself lives in ``cases``; ``Submission`` keeps what only the channel knows: the external id of a hotline
work order or an Open311 client's request (idempotency), the Open311 token, the resident's tracking secret and
a hash of the sender's address for abuse checks.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import Channel
from gridgov.core.models import TimeStampedModel


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(TimeStampedModel):
    """An Open311 client's key. Only its SHA-256 is stored; the key is shown once when it is issued."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("jurisdiction"),
        help_text=_("Limit the key to one town or district; empty: every area of the platform."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Submission(TimeStampedModel):
    """One report as it arrived on a channel, linked to the case it became."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="submission", verbose_name=_("case")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    #: Who sent it: an API key's name, an import's source system, "h5" for the resident page.
    source = models.CharField(_("source"), max_length=100, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions", editable=False
    )
    #: Open311 token (returned by POST requests before the request id is known to the client).
    token = models.CharField(_("token"), max_length=40, unique=True, default=new_secret, editable=False)
    #: The resident's secret for the tracking link (the case number alone does not open a case).
    tracking_secret = models.CharField(max_length=40, unique=True, default=new_secret, editable=False)
    sender_hash = models.CharField(_("sender"), max_length=64, blank=True, editable=False)
    #: Open311 attributes and other channel fields we keep as they came.
    extra = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="intake_submission_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.case_id}"
