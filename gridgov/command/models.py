"""Configuration of the command center: the topics (专题) its screens can be filtered by.

The command center reads cases and never writes them; a topic is data that an administrator edits, not code, so a
town adds "防汛" or "城乡环境整治" without a release.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.bilingual import in_active_language
from gridgov.core.models import TimeStampedModel


def validate_months(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(m, int) and 1 <= m <= 12 for m in value):
        raise ValidationError(_("List months as numbers from 1 to 12, e.g. [5, 6, 10, 11]."))


def validate_keywords(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
        raise ValidationError(_('List keywords as text, e.g. ["秸秆", "焚烧"].'))


class Topic(TimeStampedModel):
    """A topic view (专题) of the command center: the cases of some categories, optionally narrowed to texts with
    one of some keywords, to some areas and to the months of a season (河长制, 秸秆禁烧, 矛盾纠纷, 安全隐患…).

    The overview's map, headline numbers and trend are shown for the cases a topic selects
    (``command.selectors.topics.topic_q``); the conditions add up: category *and* keyword *and* area *and* season.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    description = models.TextField(_("description of the topic"), blank=True)
    description_en = models.TextField(_("description of the topic (English)"), blank=True)
    categories = models.ManyToManyField(
        "cases.Category",
        blank=True,
        related_name="topics",
        verbose_name=_("categories"),
        help_text=_("Cases of these categories belong to the topic; none chosen: every category."),
    )
    areas = models.ManyToManyField(
        "geo.Area",
        blank=True,
        related_name="topics",
        verbose_name=_("areas"),
        help_text=_("Only cases inside these areas (and the areas under them); none chosen: everywhere."),
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        validators=[validate_keywords],
        help_text=_(
            "Only cases whose title or description contains one of these words; empty: no such limit."
        ),
    )
    season_months = models.JSONField(
        _("season (months)"),
        default=list,
        blank=True,
        validators=[validate_months],
        help_text=_("Only cases reported in these months (1–12) of any year; empty: the whole year."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (the Chinese name is the reference)."""
        return in_active_language(self.name, self.name_en)

    @property
    def display_description(self) -> str:
        return in_active_language(self.description, self.description_en)

    def in_season(self, month: int) -> bool:
        """True when ``month`` (1–12) lies in the topic's season, or the topic has none."""
        return not self.season_months or month in self.season_months
