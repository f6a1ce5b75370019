"""Command-center pages: the overview screen (指挥中心"一张图") and the topic views (专题), with their JSON.

The screen (``/command/?area=CODE``, ``&screen=large`` for the wall display) is rendered complete on the server —
numbers, the first cases of the feed, the drill-down table — and the map and the live parts are filled in by
``command/overview.js`` from the JSON endpoints below, each of which reads through
``command.selectors.overview``. A topic page (``/command/topics/<code>/``) is the same screen for the cases the
topic selects (``?topic=CODE`` on the JSON endpoints), plus a trend chart for the chosen period.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gridgov.command.models import Topic
from gridgov.command.periods import parse_period
from gridgov.command.selectors import overview as selectors
from gridgov.command.selectors.areas import analysis_area, level_below
from gridgov.command.selectors.topics import active_topics, topic_by_code, topic_cards, topic_q, trend
from gridgov.command.views.common import CommandPage, command_page, login_required
from gridgov.core.api import error_body
from gridgov.geo.models import Area

CASES_PER_PAGE = 50
#: Milliseconds between two polls of the feed, and of the numbers and the map.
FEED_POLL_MS = 15_000
REFRESH_MS = 60_000


# --- pages ----------------------------------------------------------------------------------------------------------


@require_GET
@login_required
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    """The overview of the user's area (or ``?area=``): map, numbers, feed and the drill-down."""
    page = command_page(request)
    return _render_screen(request, page, topic=None)


@require_GET
@login_required
@never_cache
def topics(request: HttpRequest) -> HttpResponse:
    """The topics of the area, each with its open, overdue and urgent cases."""
    page = command_page(request)
    cards = topic_cards(page.area, active_topics(page.area))
    context = page.context(command_tab="topics", cards=cards, large_screen=_large(request))
    return render(request, "command/topics.html", context)


@require_GET
@login_required
@never_cache
def topic(request: HttpRequest, code: str) -> HttpResponse:
    """One topic: the overview screen for its cases, plus the trend of the period."""
    page = command_page(request)
    chosen = topic_by_code(code, page.area)
    if chosen is None:
        raise Http404(_("No such topic."))
    return _render_screen(request, page, topic=chosen)


def _large(request: HttpRequest) -> bool:
    return request.GET.get("screen") == "large"


def _screen_query(page: CommandPage, topic: Topic | None, large: bool, area_code: str) -> str:
    """The query string that shows the same screen for ``area_code`` (the drill-down links)."""
    params = {"area": area_code}
    if topic is not None:
        params.update(page.period.query())
    if large:
        params["screen"] = "large"
    return urlencode(params, safe="_")


def _render_screen(request: HttpRequest, page: CommandPage, *, topic: Topic | None) -> HttpResponse:
    area = page.area
    large = _large(request)
    now = timezone.now()
    extra = topic_q(topic) if topic is not None else None
    screen_url = (
        reverse("command:topic", args=[topic.code]) if topic is not None else reverse("command:overview")
    )
    numbers = selectors.headline(
        area, now=now, extra=extra, period=page.period if topic is not None else None
    )
    items = selectors.feed(area, extra=extra, now=now)
    context: dict[str, Any] = {
        "command_tab": "topics" if topic is not None else "overview",
        "topic": topic,
        "large_screen": large,
        "show_period_picker": topic is not None,
        "numbers": numbers,
        "feed_items": items,
        "feed_last_id": selectors.latest_case_id(items),
        "colours": [(colour, selectors.COLOUR_LABELS[colour]) for colour in selectors.COLOURS],
        "screen_url": screen_url,
        "drill_template": f"{screen_url}?{_screen_query(page, topic, large, '__AREA__')}",
        "layout_query": _screen_query(page, topic, not large, area.code),
        "map_urls": _map_urls(page, topic),
        "feed_poll_ms": FEED_POLL_MS,
        "refresh_ms": REFRESH_MS,
        "point_cap": selectors.POINT_CAP,
    }
    if area.is_grid:
        cases = Paginator(selectors.open_case_list(area, extra, now=now), CASES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["open_cases"] = cases
        context["page_query"] = _screen_query(page, topic, large, area.code)
    else:
        rows = selectors.child_rows(area, now=now, extra=extra)
        context["child_rows"] = [
            (row, f"{screen_url}?{_screen_query(page, topic, large, row.area.code)}" if row.area else "")
            for row in rows
        ]
    if topic is not None:
        result = trend(area, page.period, topic=topic)
        context["trend"] = result
        context["trend_chart"] = {
            "labels": [bucket.label for bucket in result.buckets],
            "series": [
                {"key": "reported", "name": _("Reported"), "data": result.reported},
                {"key": "resolved", "name": _("Resolved"), "data": result.resolved},
            ],
        }
    return render(
        request,
        "command/topic.html" if topic is not None else "command/overview.html",
        page.context(**context),
    )


def _map_urls(page: CommandPage, topic: Topic | None) -> dict[str, str]:
    """The URLs the screen's script loads: boundaries from the geo API, counts, cases and numbers from the JSON
    endpoints below (for a topic: ``topic=``, and the period for its rates)."""
    area = page.area
    geo = reverse("api-v1:geo-map")
    params = {"area": area.code}
    if topic is not None:
        params["topic"] = topic.code
    query = urlencode(params)
    numbers_query = urlencode({**params, **page.period.query()}) if topic is not None else query
    child_level = level_below(area.level)
    return {
        "grids": f"{geo}?{urlencode({'level': 'grid', 'within': area.code})}",
        "outline": f"{geo}?{urlencode({'level': area.level, 'within': area.code})}",
        "children": f"{geo}?{urlencode({'level': child_level, 'within': area.code})}"
        if child_level and child_level != "grid"
        else "",
        "counts": f"{reverse('command:overview-grids')}?{query}",
        "layer": f"{reverse('command:overview-map')}?{query}",
        "feed": f"{reverse('command:overview-feed')}?{query}",
        "numbers": f"{reverse('command:overview-numbers')}?{numbers_query}",
    }


# --- JSON -----------------------------------------------------------------------------------------------------------


class BadParameter(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def json_endpoint(view: Callable[..., dict[str, Any]]) -> Callable[[HttpRequest], JsonResponse]:
    """A GET endpoint of the screen: signed-in users only (401), the area's permission (403), the one error shape;
    the answer is never cached (it is live and personal to the user's area)."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        if request.method != "GET":
            return JsonResponse(error_body("method_not_allowed", _("Use GET.")), status=405)
        if not request.user.is_authenticated:
            return JsonResponse(error_body("not_authenticated", _("Please sign in.")), status=401)
        try:
            area = analysis_area(request.user, request.GET.get("area"))
            topic: Topic | None = None
            code = request.GET.get("topic")
            if code:
                topic = topic_by_code(code, area)
                if topic is None:
                    raise Http404
            body = view(request, area, topic)
        except PermissionDenied as error:
            return JsonResponse(error_body("permission_denied", str(error) or _("Not allowed.")), status=403)
        except Http404:
            return JsonResponse(error_body("not_found", _("Not found.")), status=404)
        except BadParameter as error:
            return JsonResponse(
                error_body("invalid", _("A parameter is not valid."), {error.name: [error.message]}),
                status=400,
            )
        response = JsonResponse(body)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def _extra(topic: Topic | None) -> Q | None:
    return topic_q(topic) if topic is not None else None


def _int_param(request: HttpRequest, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, _("Give a whole number.")) from None
    if not low <= value <= high:
        raise BadParameter(name, _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return value


@json_endpoint
def map_json(request: HttpRequest, area: Area, topic: Topic | None) -> dict[str, Any]:
    """The cases (few) or their counts per grid or cell (many) inside ``bbox`` at ``zoom``."""
    raw = (request.GET.get("bbox") or "").strip()
    bbox = None
    if raw:
        try:
            bbox = selectors.BBox.parse(raw)
        except ValueError:
            raise BadParameter("bbox", _("Give west,south,east,north in degrees.")) from None
    zoom = _int_param(request, "zoom", 12, 0, 22) or 0
    layer = selectors.map_layer(area, bbox=bbox, zoom=zoom, extra=_extra(topic))
    return {"area": area.code, "zoom": zoom, "cap": selectors.POINT_CAP, **layer.as_dict()}


@json_endpoint
def grids_json(request: HttpRequest, area: Area, topic: Topic | None) -> dict[str, Any]:
    """Every grid of the area with its open cases by colour and the child area it lies in (for the drill-down)."""
    grids = selectors.grid_counts(area, _extra(topic))
    return {"area": area.code, "grids": {grid.code: grid.as_dict() for grid in grids}}


@json_endpoint
def feed_json(request: HttpRequest, area: Area, topic: Topic | None) -> dict[str, Any]:
    """The cases created after ``after`` (a case id), newest first."""
    after = _int_param(request, "after", None, 0, 2**62)
    items = selectors.feed(area, after=after, extra=_extra(topic))
    return {
        "area": area.code,
        "items": [item.as_dict() for item in items],
        "last_id": selectors.latest_case_id(items, after),
        "at": timezone.localtime().isoformat(),
    }


@json_endpoint
def numbers_json(request: HttpRequest, area: Area, topic: Topic | None) -> dict[str, Any]:
    """The headline numbers; a topic's rates are those of the page's period (``period``/``date``, default this
    month; a bad period falls back to it, as on the page)."""
    period = None
    if topic is not None:
        try:
            period = parse_period(request.GET)
        except ValidationError:
            period = None
    numbers = selectors.headline(area, extra=_extra(topic), period=period)
    return {"area": area.code, "numbers": numbers.as_dict(), "at": timezone.localtime().isoformat()}


urlpatterns: list[URLPattern] = [
    path("", overview, name="overview"),
    path("overview/map.json", map_json, name="overview-map"),
    path("overview/grids.json", grids_json, name="overview-grids"),
    path("overview/feed.json", feed_json, name="overview-feed"),
    path("overview/numbers.json", numbers_json, name="overview-numbers"),
    path("topics/", topics, name="topics"),
    path("topics/<slug:code>/", topic, name="topic"),
]
