"""Query filters of the case list (``GET /api/v1/cases/``), as one django-filter ``FilterSet``.

The base queryset is always ``selectors.visible_cases(user)``; every filter here only narrows it. Codes (category,
area, grid, department) are validated: an unknown code is a 400 naming the parameter, not an empty list.

``q`` is a plain substring search (``icontains``) over number, title, text and address; it works for Chinese
without word segmentation. Ranked full-text search (PostgreSQL ``pg_trgm`` / a Chinese tokenizer) is a later
improvement.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import django_filters  # type: ignore[import-untyped]  # no stubs published
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import AlertLevel, CaseStatus, Channel, Priority, RequestType
from gridgov.cases.models import ASSIGNMENT_CLOSED, Case, Category
from gridgov.cases.selectors import Queue, work_queue
from gridgov.dispatch.models import Assignment, Department
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

#: Dates in the query (reported_after / reported_before) are local calendar days of the platform.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

QUEUE_CHOICES = [
    (Queue.TODO, _("To do")),
    (Queue.DONE, _("Done")),
    (Queue.DUE_SOON, _("Due soon")),
    (Queue.OVERDUE, _("Overdue")),
]


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


class StableOrderingFilter(django_filters.OrderingFilter):
    """``?ordering=`` with the id as the last key, so that pages do not overlap when values tie."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, "-id")


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=CaseStatus.choices,
        distinct=False,  # a plain column: no join to de-duplicate (DISTINCT over every column is slow)
        help_text="Status; repeat the parameter for several (status=a&status=b).",
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="code", help_text="Category code, e.g. road."
    )
    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        to_field_name="code",
        method="filter_area",
        help_text="Area code: cases in that area and everything below it.",
    )
    grid = django_filters.ModelChoiceFilter(
        queryset=Area.objects.filter(level=AreaLevel.GRID), to_field_name="code", help_text="Grid code."
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        method="filter_department",
        help_text="Department code: cases with a current (not cancelled or returned) assignment of it.",
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="Red: past the deadline.")
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon", help_text="Yellow: 75 % of the time used."
    )
    urgent = django_filters.BooleanFilter(method="filter_urgent", help_text="Urgent priority.")
    reported_after = django_filters.DateFilter(
        method="filter_reported_after", help_text="Reported on or after this day (Asia/Shanghai)."
    )
    reported_before = django_filters.DateFilter(
        method="filter_reported_before", help_text="Reported on or before this day (Asia/Shanghai)."
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    request_type = django_filters.ChoiceFilter(choices=RequestType.choices)
    queue = django_filters.ChoiceFilter(
        choices=QUEUE_CHOICES,
        method="filter_queue",
        help_text="A tab of the user's work queue; without ?ordering= the queue's order (urgent, due first).",
    )
    q = django_filters.CharFilter(
        method="filter_text", help_text="Text search (substring) in number, title, description and address."
    )
    # Declared last: filters run in declaration order, so an explicit ordering wins over the queue's.
    ordering = StableOrderingFilter(fields=("reported_at", "resolve_by", "priority"))

    class Meta:
        model = Case
        fields: list[str] = []

    # django-filter calls these only with a non-empty value; the hints give the parameters their schema types.

    def filter_area(self, queryset: QuerySet[Case], name: str, value: Area) -> QuerySet[Case]:
        return queryset.filter(area_path__within=value.path)

    def filter_department(self, queryset: QuerySet[Case], name: str, value: Department) -> QuerySet[Case]:
        assigned = Assignment.objects.filter(department=value).exclude(status__in=ASSIGNMENT_CLOSED)
        return queryset.filter(pk__in=assigned.values("case_id"))

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return _flag(queryset, value, Q(alert_level=AlertLevel.RED))

    def filter_due_soon(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return _flag(queryset, value, Q(alert_level=AlertLevel.YELLOW))

    def filter_urgent(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return _flag(queryset, value, Q(priority=Priority.URGENT))

    def filter_reported_after(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet[Case]:
        return queryset.filter(reported_at__gte=_local_midnight(value))

    def filter_reported_before(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet[Case]:
        return queryset.filter(reported_at__lt=_local_midnight(value + timedelta(days=1)))

    def filter_queue(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        tab = work_queue(self.request.user if self.request else None, value)
        return queryset.filter(pk__in=tab.order_by().values("pk")).order_by(*tab.query.order_by, "-id")

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(text__icontains=text)
            | Q(address__icontains=text)
        )


def _flag(queryset: QuerySet[Case], value: bool, condition: Q) -> QuerySet[Case]:
    return queryset.filter(condition) if value else queryset.exclude(condition)
