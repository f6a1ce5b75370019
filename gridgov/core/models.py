"""Shared kernel models: the base model, the append-only audit trail and the working-day calendar tables."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for editable records: when they were created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted (audit trails, timelines)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class TimelineEvent(AppendOnlyModel):
    """What every timeline row has (a case's, an alert's): when, who, which verb, the status before and after, a
    note and details. Subclasses add the object the timeline belongs to."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("action"), max_length=32, db_index=True)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True


class AuditEntry(AppendOnlyModel):
    """One write to base data (areas, departments, roles, calendar, taxonomy) or one view of personal data.

    Cases have their own timeline (``cases.CaseEvent``); everything else that an action changes is recorded here,
    with who did it, when, what and the details, so that every change of base data can be traced.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    verb = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.summary}"


class HolidayYear(TimeStampedModel):
    """A year whose official holiday schedule (放假安排) has been entered locally.

    The ``chinese-calendar`` package knows years up to the one it was released for; the State Council publishes
    each year's schedule late in the year before. Until a year is known (by the package or by a row here),
    deadlines in it are counted on weekends only and staff pages show a warning.
    """

    year = models.PositiveIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("e.g. the State Council notice")
    )

    class Meta:
        verbose_name = _("holiday schedule year")
        verbose_name_plural = _("holiday schedule years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(TimeStampedModel):
    """A local override of one day: a public holiday (休) or a make-up workday (调休上班).

    Rows win over the ``chinese-calendar`` package, so a town can also record local days off.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a workday"))
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Stamp(models.Model):
    """A version token under a key (``core.stamps``): how one process tells the others, through the database they
    all share, that something they keep in memory (the grid index, the triage model) changed."""

    key = models.CharField(_("key"), max_length=100, primary_key=True)
    value = models.CharField(_("value"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("version stamp")
        verbose_name_plural = _("version stamps")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
