"""Admin for the working-day calendar and the (read-only) audit trail.

Calendar writes go through ``core.actions`` so they are permission-checked, audited and trigger the deadline
recompute hooks like any other write; the admin is only a form in front of them. Access follows
``accounts.permissions.can``, not Django's model permissions, so the admin and the rest of the platform agree.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Verb
from gridgov.core.actions import (
    ScheduleDay,
    delete_calendar_day,
    import_holiday_schedule,
    schedule_problems,
    set_calendar_day,
)
from gridgov.core.admin_mixins import ManagedByVerb, ReadOnlyAuditAdmin
from gridgov.core.calendar import missing_schedule_years
from gridgov.core.management.commands.import_holidays import ParsedSchedule, parse_schedule_csv
from gridgov.core.models import AuditEntry, CalendarDay, HolidayYear

if TYPE_CHECKING:
    from gridgov.accounts.models import User


def _actor(request: HttpRequest) -> User:
    # The admin site only lets signed-in staff through, so the user is never anonymous here.
    return cast("User", request.user)


def _warn_missing_years(request: HttpRequest) -> None:
    years = missing_schedule_years()
    if years:
        messages.warning(
            request,
            gettext(
                "The official holiday schedule of %(years)s is not known yet: deadlines in it count weekends "
                "only and are provisional. Add it here when it is published."
            )
            % {"years": ", ".join(map(str, years))},
        )


def _days_of(year: int) -> list[ScheduleDay]:
    return [(day.date, day.is_workday, day.name) for day in CalendarDay.objects.filter(date__year=year)]


class HolidayYearForm(forms.ModelForm):
    """The year, its source and the schedule file (same format as ``gridgov import_holidays``)."""

    schedule = forms.FileField(
        label=_("schedule file"),
        required=False,
        help_text=_(
            "CSV with the header date,type,name; type is holiday/休 or workday/班. It replaces all calendar days "
            "of the year. Required when adding a year."
        ),
    )

    class Meta:
        model = HolidayYear
        fields = ["year", "source"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year = cleaned.get("year") if self.instance.pk is None else self.instance.year
        upload = cleaned.get("schedule")
        self.parsed: ParsedSchedule | None = None
        if upload is None:
            if self.instance.pk is None:
                self.add_error("schedule", gettext("Upload the schedule file of the year."))
            else:  # only the source changes: the year's current days are imported again, so check them too
                problems = schedule_problems(
                    year=self.instance.year,
                    days=_days_of(self.instance.year),
                    source=cleaned.get("source", ""),
                )
                if problems:
                    raise ValidationError({"schedule": [problem.message for problem in problems]})
            return cleaned
        if year is None:
            return cleaned
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("schedule", gettext("The file is not UTF-8 text."))
            return cleaned
        parsed = parse_schedule_csv(
            io.StringIO(text, newline=None), year=year, source=cleaned.get("source", "")
        )
        if parsed.errors:
            raise ValidationError({"schedule": [str(error) for error in parsed.errors]})
        self.parsed = parsed
        return cleaned


@admin.register(HolidayYear)
class HolidayYearAdmin(ManagedByVerb, admin.ModelAdmin):
    """Years whose schedule was entered locally. Adding or changing one uploads its schedule."""

    manage_verb = Verb.MANAGE_CALENDAR

    form = HolidayYearForm
    list_display = ["year", "source", "holidays", "make_up_workdays", "updated_at"]
    search_fields = ["source"]

    def get_readonly_fields(self, request: HttpRequest, obj: HolidayYear | None = None) -> list[str]:
        return ["year"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Withdrawing a schedule would silently turn deadlines provisional again; import a corrected one instead.
        return False

    @admin.display(description=_("holidays"))
    def holidays(self, obj: HolidayYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year, is_workday=False).count()

    @admin.display(description=_("make-up workdays"))
    def make_up_workdays(self, obj: HolidayYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year, is_workday=True).count()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            _warn_missing_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: HolidayYear, form: Any, change: bool) -> None:
        parsed: ParsedSchedule | None = getattr(form, "parsed", None)
        # Without a new file only the source changes: the year's days are imported again as they are.
        days = parsed.days if parsed is not None else _days_of(obj.year)
        saved = import_holiday_schedule(actor=_actor(request), year=obj.year, days=days, source=obj.source)
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def delete_model(self, request: HttpRequest, obj: HolidayYear) -> None:
        raise NotImplementedError("holiday schedule years are not deleted")  # has_delete_permission is False


@admin.register(CalendarDay)
class CalendarDayAdmin(ManagedByVerb, admin.ModelAdmin):
    """Single days: the imported holidays and make-up days, and local days off."""

    manage_verb = Verb.MANAGE_CALENDAR

    list_display = ["date", "weekday", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarDay | None = None) -> list[str]:
        # Changing the date would be a delete and an add; keep the two visible in the audit trail.
        return ["date"] if obj is not None else []

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            _warn_missing_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = set_calendar_day(
            actor=_actor(request), day=obj.date, is_workday=obj.is_workday, name=obj.name
        )
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        delete_calendar_day(actor=_actor(request), day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset.values_list("date", flat=True):
            delete_calendar_day(actor=_actor(request), day=day)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAuditAdmin, admin.ModelAdmin):
    """The audit trail, for reading: rows are append-only, so nothing can be added, changed or deleted here."""

    list_display = ["at", "actor", "verb", "target_type", "target_id", "summary"]
    list_filter = ["verb", "target_type"]
    date_hierarchy = "at"
    search_fields = ["verb", "summary", "target_id", "actor__username", "actor__name"]
    list_select_related = ["actor"]
    fields = ("at", "actor", "verb", "target_type", "target_id", "summary", "data")
    readonly_fields = fields
