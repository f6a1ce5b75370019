"""Command-center pages: analysis (分析研判) — trends, hotspots, recurrence, and the cases behind a hotspot.

Each page: the area and period of ``command_page`` (permission ``VIEW_ANALYSIS``), the page's own filters from a
form (a bad value is reported beside its field and replaced by the default, so the page still renders), one
selector call, a template. Charts and maps get their data through ``json_script``.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gridgov.cases.choices import Channel
from gridgov.cases.models import Category
from gridgov.command.selectors.analysis import BUCKETS, DIMENSIONS, Trend, trends
from gridgov.command.selectors.hotspots import (
    DEFAULT_EPS_M,
    MAX_EPS_M,
    MIN_EPS_M,
    CaseRow,
    HotspotsTooDense,
    find_hotspot,
    hotspot_analysis,
    hotspot_cases,
)
from gridgov.command.selectors.recurrence import (
    DEFAULT_RECURRENCE_MIN_CASES,
    DEFAULT_RECURRENCE_RADIUS_M,
    recurrences,
)
from gridgov.command.views.common import CommandPage, command_page, login_required

CASES_PER_PAGE = 50
#: The filters the three analysis tabs share (kept when switching tabs).
COMMON_FILTERS = ("category", "channel")

# --- filters ------------------------------------------------------------------------------------------------------


class AnalysisFilterForm(forms.Form):
    """The filters every analysis page has: one category and / or one channel."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Category"),
        empty_label=_("All categories"),
    )
    channel = forms.ChoiceField(
        choices=[("", _("All channels")), *Channel.choices], required=False, label=_("Channel")
    )

    #: Defaults of the optional fields (used when a field is empty or invalid).
    defaults: dict[str, Any] = {}

    def values(self) -> dict[str, Any]:
        """Valid values, with the default in place of an empty or invalid field."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        result = {}
        for name in self.fields:
            value = cleaned.get(name)
            result[name] = self.defaults.get(name) if value in (None, "") else value
        return result

    def query(self) -> str:
        """The valid, non-default filters as a query string, to carry over to links (tabs, drill-down)."""
        params = {}
        for name, value in self.values().items():
            if value in (None, "") or value == self.defaults.get(name):
                continue
            params[name] = value.code if isinstance(value, Category) else value
        return urlencode(params)


class TrendFilterForm(AnalysisFilterForm):
    dimension = forms.ChoiceField(choices=list(DIMENSIONS.items()), required=False, label=_("Count by"))
    bucket = forms.ChoiceField(
        choices=[("", _("Automatic")), *BUCKETS.items()], required=False, label=_("Interval")
    )
    defaults = {"dimension": "category", "bucket": ""}


class HotspotFilterForm(AnalysisFilterForm):
    eps = forms.IntegerField(
        min_value=MIN_EPS_M,
        max_value=MAX_EPS_M,
        required=False,
        label=_("Distance (m)"),
        help_text=_("Cases closer than this belong to the same hotspot."),
        widget=forms.NumberInput(attrs={"placeholder": str(DEFAULT_EPS_M)}),
    )
    min_cases = forms.IntegerField(
        min_value=2,
        max_value=100_000,
        required=False,
        label=_("Minimum cases"),
        help_text=_(
            "A hotspot holds at least this many cases within the distance. Empty: four times the average "
            "density, at least 10."
        ),
        widget=forms.NumberInput(attrs={"placeholder": _("automatic")}),
    )
    defaults = {"eps": DEFAULT_EPS_M, "min_cases": None}  # no minimum: chosen from the density


class RecurrenceFilterForm(AnalysisFilterForm):
    radius = forms.IntegerField(
        min_value=10,
        max_value=500,
        required=False,
        label=_("Radius (m)"),
        help_text=_("Cases of one group lie within this distance of its centre."),
        widget=forms.NumberInput(attrs={"placeholder": str(DEFAULT_RECURRENCE_RADIUS_M)}),
    )
    min_cases = forms.IntegerField(
        min_value=2,
        max_value=1000,
        required=False,
        label=_("Minimum cases"),
        help_text=_("At least this many cases of one category."),
        widget=forms.NumberInput(attrs={"placeholder": str(DEFAULT_RECURRENCE_MIN_CASES)}),
    )
    defaults = {"radius": DEFAULT_RECURRENCE_RADIUS_M, "min_cases": DEFAULT_RECURRENCE_MIN_CASES}


def _context(page: CommandPage, form: AnalysisFilterForm, tab: str, **extra: Any) -> dict[str, Any]:
    """The page's context: the frame's, the filters, and the queries links carry (``filter_query``: this page's
    filters; ``common_query``: category and channel only, for the other analysis tabs)."""
    filters = parse_qsl(form.query())
    return page.context(
        command_tab="analysis",
        analysis_tab=tab,
        show_period_picker=True,
        form=form,
        filter_query=urlencode(filters),
        filter_hidden=filters,
        common_query=urlencode([(k, v) for k, v in filters if k in COMMON_FILTERS]),
        **extra,
    )


# --- pages --------------------------------------------------------------------------------------------------------


@require_GET
@never_cache
@login_required
def trends_page(request: HttpRequest) -> HttpResponse:
    """Trends: counts by category, child area or channel per day / week / month, with 环比 and 同比."""
    page = command_page(request)
    form = TrendFilterForm(request.GET)
    values = form.values()
    trend = trends(
        page.area,
        page.period,
        dimension=values["dimension"],
        bucket=values["bucket"] or None,
        category=values["category"],
        channel=values["channel"] or None,
    )
    return render(
        request,
        "command/analysis_trends.html",
        _context(
            page,
            form,
            "trends",
            trend=trend,
            chart=_trend_chart(trend),
            chart_series=trend.chart_series(),
            dimension_name=DIMENSIONS[trend.dimension],
            bucket_name=BUCKETS[trend.bucket],
        ),
    )


@require_GET
@never_cache
@login_required
def hotspots_page(request: HttpRequest) -> HttpResponse:
    """Hotspots: clusters of cases on a map and in a ranked table, each linked to its cases."""
    page = command_page(request)
    form = HotspotFilterForm(request.GET)
    values = form.values()
    too_dense = None
    try:
        result = hotspot_analysis(
            page.area,
            page.period,
            values["category"],
            channel=values["channel"] or None,
            eps_m=values["eps"],
            min_cases=values["min_cases"],
        )
        found = result.hotspots
    except HotspotsTooDense as error:
        result, found, too_dense = None, [], error
    cases_url = _hotspot_cases_url(page, form)
    rows = [(hotspot, f"{cases_url}&cell={hotspot.anchor}") for hotspot in found]
    return render(
        request,
        "command/analysis_hotspots.html",
        _context(
            page,
            form,
            "hotspots",
            rows=rows,
            result=result,
            too_dense=too_dense,
            map_data={
                "hotspots": [{**hotspot.as_json(), "url": url} for hotspot, url in rows],
                "boundary": page.area.boundary,
                "bbox": _bbox(page),
            },
        ),
    )


@require_GET
@never_cache
@login_required
def hotspot_cases_page(request: HttpRequest) -> HttpResponse:
    """The cases behind one hotspot (``?cell=`` its anchor, with the hotspot page's filters)."""
    page = command_page(request)
    form = HotspotFilterForm(request.GET)
    values = form.values()
    anchor = _int(request.GET.get("cell"))
    hotspot = None
    with suppress(HotspotsTooDense):  # the link came from a page that found hotspots: this is not expected
        hotspot = (
            None
            if anchor is None
            else find_hotspot(
                page.area,
                page.period,
                anchor,
                values["category"],
                channel=values["channel"] or None,
                eps_m=values["eps"],
                min_cases=values["min_cases"],
            )
        )
    cases_page = None
    if hotspot is not None:
        cases = hotspot_cases(
            page.area, page.period, hotspot, values["category"], channel=values["channel"] or None
        )
        cases_page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "command/analysis_hotspot_cases.html",
        _context(
            page,
            form,
            "hotspots",
            hotspot=hotspot,
            cases_page=cases_page,
            case_rows=[CaseRow.of(case) for case in cases_page] if cases_page else [],
            anchor=anchor,
            back_url=_hotspots_url(page, form),
        ),
    )


@require_GET
@never_cache
@login_required
def recurrence_page(request: HttpRequest) -> HttpResponse:
    """Recurrence: the same category at the same place again and again, each group with its cases."""
    page = command_page(request)
    form = RecurrenceFilterForm(request.GET)
    values = form.values()
    result = recurrences(
        page.area,
        page.period,
        category=values["category"],
        channel=values["channel"] or None,
        radius_m=values["radius"],
        min_cases=values["min_cases"],
    )
    return render(
        request, "command/analysis_recurrence.html", _context(page, form, "recurrence", result=result)
    )


# --- helpers ------------------------------------------------------------------------------------------------------


def _trend_chart(trend: Trend) -> dict[str, Any]:
    """What the chart draws: the bucket labels and the chart's series (the table below shows the same)."""
    return {
        "buckets": trend.bucket_labels,
        "series": [{"name": s.label, "data": s.counts} for s in trend.chart_series()],
    }


def _hotspot_cases_url(page: CommandPage, form: AnalysisFilterForm) -> str:
    """The case list of a hotspot, less its ``cell``: the same area, period and filters as the hotspot page."""
    return _url("command:hotspot-cases", page, form)


def _hotspots_url(page: CommandPage, form: AnalysisFilterForm) -> str:
    return _url("command:hotspots", page, form)


def _url(name: str, page: CommandPage, form: AnalysisFilterForm) -> str:
    params = [("area", page.area.code), *page.period.query().items(), *parse_qsl(form.query())]
    return f"{reverse(name)}?{urlencode(params)}"


def _bbox(page: CommandPage) -> list[list[float]] | None:
    area = page.area
    if None in (area.min_lat, area.min_lon, area.max_lat, area.max_lon):
        return None
    return [[area.min_lat, area.min_lon], [area.max_lat, area.max_lon]]  # type: ignore[list-item]


def _int(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


urlpatterns: list[URLPattern] = [
    path("", trends_page, name="trends"),
    path("hotspots/", hotspots_page, name="hotspots"),
    path("hotspots/cases/", hotspot_cases_page, name="hotspot-cases"),
    path("recurrence/", recurrence_page, name="recurrence"),
]
