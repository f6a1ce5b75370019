"""Serializers of the command-center API (read only): the period, the headline numbers and the accountability
figures.

A unit's figures are its counts (``indicators.COUNTS``), its indicators (``indicators.INDICATORS``: each a fraction
from 0 to 1, or null when its denominator is 0, as the pages show "—") and the average handling time in working
days. The count and rate serializers are built from those two tables, so the API carries every number the pages
show and no other.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridgov.alerts.choices import AlertStatus
from gridgov.cases.api.serializers import AreaRefSerializer
from gridgov.command.selectors.indicators import COUNTS, INDICATORS, Figures
from gridgov.command.selectors.overview import COLOURS


def _serializer(name: str, doc: str, fields: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), {"__module__": __name__, "__doc__": doc, **fields})


class RateField(serializers.FloatField):
    """An indicator of ``Figures`` by its key (``Figures.rate``)."""

    def get_attribute(self, instance: Any) -> float | None:
        figures: Figures = instance
        return figures.rate(str(self.field_name))  # the field is named after the indicator


CountsSerializer = _serializer(
    "IndicatorCountsSerializer",
    "The counts of a unit for the period (overdue_now: at the moment of the request); docs/indicators.md.",
    {key: serializers.IntegerField(read_only=True) for key in COUNTS},
)

RatesSerializer = _serializer(
    "IndicatorRatesSerializer",
    "The indicators of a unit: numerator ÷ denominator as a fraction from 0 to 1, null without a denominator.",
    {
        indicator.key: RateField(
            read_only=True,
            allow_null=True,
            help_text=f"{indicator.numerator} ÷ {indicator.denominator}",
        )
        for indicator in INDICATORS
    },
)


class FiguresSerializer(serializers.Serializer):
    """Every number of one line of an accountability table (or of a whole area)."""

    counts = CountsSerializer(source="*", read_only=True)
    rates = RatesSerializer(source="*", read_only=True)
    average_days = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Average working days from the report to the resolution over the resolved rows; null without "
        "any",
    )


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="day, week, month, year or range")
    start = serializers.DateField(help_text="The first day")
    end = serializers.DateField(source="last_day", help_text="The last day (included)")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label, on purpose


class HeadlineSerializer(serializers.Serializer):
    """The numbers at the top of the overview screen."""

    reported_today = serializers.IntegerField(
        help_text="Cases reported since local midnight, merged left out"
    )
    open = serializers.IntegerField(help_text="Open cases (every status but closed, rejected and merged)")
    overdue = serializers.IntegerField(help_text="Open cases overdue now (red)")
    urgent = serializers.IntegerField(help_text="Open urgent cases, overdue or not")
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Of the period, 0…1; null without due cases"
    )
    satisfaction_rate = serializers.FloatField(
        allow_null=True, help_text="Of the period, 0…1; null without rated cases"
    )


ColoursSerializer = _serializer(
    "OpenColoursSerializer",
    "The open cases by colour, each in exactly one (red: overdue now; urgent; yellow: due soon; normal).",
    {colour: serializers.IntegerField(read_only=True) for colour in COLOURS},
)


class SummarySerializer(serializers.Serializer):
    area = AreaRefSerializer()
    period = PeriodSerializer()
    at = serializers.DateTimeField(help_text="The moment the numbers were read")
    headline = HeadlineSerializer()
    open_by_colour = ColoursSerializer()
    figures = FiguresSerializer(help_text="The whole area for the period (the accountability tables' total)")


class KindSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label, on purpose


class RowSerializer(serializers.Serializer):
    """One unit of the table: an area (key: its code), a grid worker (their user id) or a department (its id)."""

    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label, on purpose
    detail = serializers.CharField(help_text="A grid worker's grids, the area a department serves")
    counts = CountsSerializer(source="figures", read_only=True)
    rates = RatesSerializer(source="figures", read_only=True)
    average_days = serializers.FloatField(source="figures.average_days", read_only=True, allow_null=True)


class AccountabilitySerializer(serializers.Serializer):
    area = AreaRefSerializer()
    period = PeriodSerializer()
    at = serializers.DateTimeField(help_text="The moment of the request (for overdue_now)")
    kind = serializers.CharField(help_text="The unit kind of the rows")
    kind_label = serializers.CharField()
    kinds = KindSerializer(many=True, help_text="The unit kinds this area offers, the default first")
    rows = RowSerializer(many=True, help_text="The units in their natural order (area code, name)")
    rest = FiguresSerializer(
        allow_null=True,
        help_text="Area kinds: the area's cases located in none of the rows' units (e.g. placed at the town "
        "itself); null for grid workers and departments",
    )
    total = FiguresSerializer(
        allow_null=True,
        help_text="Area kinds: the whole area (rows + rest = the summary's figures); null for grid workers and "
        "departments, whose rows may overlap",
    )


AlertCountsSerializer = _serializer(
    "AlertStatusCountsSerializer",
    "How many alerts of each status lie in the area.",
    {status: serializers.IntegerField(read_only=True) for status in AlertStatus.values},
)


class CommandAlertsSerializer(serializers.Serializer):
    area = AreaRefSerializer()
    counts = AlertCountsSerializer()
