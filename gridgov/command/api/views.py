"""The command-center API (read only): the headline numbers of an area, its accountability tables and its alert
counts, for dashboards and reports outside the pages.

Every endpoint takes the area and the period exactly as the pages do: ``area`` through
``selectors.areas.analysis_area`` (default: the user's first command-center area; 403 outside the user's
``VIEW_ANALYSIS`` areas, 404 unknown) and ``period``/``date``/``start``/``end`` through ``periods.parse_period``
(default: the current month). Where a page shows a bad period or unit kind beside the default table, the API
answers 400 naming the parameter with the same message. The numbers come from the selectors the pages use, so the
two always agree. Nothing here writes.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.alerts.selectors import status_counts
from gridgov.cases.api.serializers import ErrorSerializer
from gridgov.command.api import serializers as s
from gridgov.command.periods import KINDS, Period, parse_period
from gridgov.command.selectors import overview
from gridgov.command.selectors.areas import analysis_area, available_kinds
from gridgov.command.selectors.indicators import UNIT_KINDS, table_and_rest, totals
from gridgov.geo.models import Area

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is not valid: `fields` names it and why."),
    403: OpenApiResponse(ErrorSerializer, description="The area is outside your command center."),
    404: OpenApiResponse(ErrorSerializer, description="No such area."),
}

AREA = OpenApiParameter(
    "area", OpenApiTypes.STR, description="Area code (default: your first command-center area)"
)
PERIOD = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(KINDS), description="Default: month"),
    OpenApiParameter(
        "date", OpenApiTypes.DATE, description="day/week/month/year: a day inside it (default: today)"
    ),
    OpenApiParameter("start", OpenApiTypes.DATE, description="range: the first day"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="range: the last day (included)"),
]


def _area(request: Request) -> Area:
    return analysis_area(request.user, request.query_params.get("area") or None)


def _period(request: Request) -> Period:
    """The page's period; a bad one is a ``ValidationError`` naming the parameter (400)."""
    return parse_period(request.query_params)


def _answer(data: object) -> Response:
    response = Response(data)
    add_never_cache_headers(response)  # live numbers of the user's area, as the screen's JSON endpoints
    return response


class CommandSummary(APIView):
    @extend_schema(
        parameters=[AREA, *PERIOD],
        responses={200: s.SummarySerializer, **ERRORS},
        summary="The headline numbers of an area: now, and the figures of the period",
    )
    def get(self, request: Request) -> Response:
        """Today's reports, open, overdue and urgent cases and the open cases by colour (now); the on-time and
        satisfaction rates and every count and indicator of the whole area for the period."""
        area = _area(request)
        period = _period(request)
        now = timezone.now()
        result = overview.summary(area, now=now, period=period)
        return _answer(
            s.SummarySerializer(
                {
                    "area": area,
                    "period": period,
                    "at": timezone.localtime(now),
                    "headline": result.headline,
                    "open_by_colour": result.colours,
                    "figures": result.figures,
                }
            ).data
        )


class CommandAccountability(APIView):
    @extend_schema(
        parameters=[
            AREA,
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=list(UNIT_KINDS),
                description="The units of the table (default: the areas one level down); `kinds` in the answer "
                "lists those the area offers",
            ),
            *PERIOD,
        ],
        responses={200: s.AccountabilitySerializer, **ERRORS},
        summary="An accountability table (行政问效): the units of an area with their counts and indicators",
    )
    def get(self, request: Request) -> Response:
        area = _area(request)
        period = _period(request)
        kinds = available_kinds(area)
        kind = request.query_params.get("kind") or kinds[0]
        if kind not in kinds:
            raise serializers.ValidationError(
                {
                    "kind": [
                        _("“%(kind)s” is not a kind of unit of this area; choose one of: %(kinds)s.")
                        % {"kind": kind, "kinds": ", ".join(kinds)}
                    ]
                }
            )
        now = timezone.now()
        rows, rest = table_and_rest(kind, area, period, now=now)
        total = None
        if rest is not None:  # areas do not overlap: rows + remainder = the whole area
            total = totals(rows)
            total.add(rest)
        return _answer(
            s.AccountabilitySerializer(
                {
                    "area": area,
                    "period": period,
                    "at": timezone.localtime(now),
                    "kind": kind,
                    "kind_label": UNIT_KINDS[kind],
                    "kinds": [{"code": key, "label": UNIT_KINDS[key]} for key in kinds],
                    "rows": rows,
                    "rest": rest,
                    "total": total,
                }
            ).data
        )


class CommandAlerts(APIView):
    @extend_schema(
        parameters=[AREA],
        responses={200: s.CommandAlertsSerializer, 403: ERRORS[403], 404: ERRORS[404]},
        summary="How many alerts of each status lie in an area",
    )
    def get(self, request: Request) -> Response:
        area = _area(request)
        return _answer(s.CommandAlertsSerializer({"area": area, "counts": status_counts(area)}).data)
