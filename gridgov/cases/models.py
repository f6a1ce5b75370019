"""Case taxonomy: the categories a case is filed under. The Case model itself arrives with the lifecycle."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import TimeStampedModel


class Category(TimeStampedModel):
    """A kind of problem (道路交通, 河道水务, 矛盾纠纷…) with its scope, default department and SLA.

    The scope texts say what belongs in the category and what goes elsewhere; dispatchers and residents see them
    as the description, and the triage engine is trained on the same boundaries. A town edits all of it as data.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    scope_in = models.TextField(_("what belongs here"), blank=True)
    scope_out = models.TextField(_("what does not (and where it goes)"), blank=True)
    scope_in_en = models.TextField(_("what belongs here (English)"), blank=True)
    scope_out_en = models.TextField(_("what does not (English)"), blank=True)
    default_department = models.CharField(_("default department"), max_length=128, blank=True)
    sla_working_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (the Chinese name is the reference)."""
        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def description(self) -> str:
        """The scope text shown to dispatchers and residents, in the active language."""
        english = (translation.get_language() or "").startswith("en")
        scope_in = self.scope_in_en if english and self.scope_in_en else self.scope_in
        scope_out = self.scope_out_en if english and self.scope_out_en else self.scope_out
        if scope_out:
            return f"{scope_in}\n{_('Not here')}: {scope_out}"
        return scope_in
