"""The GeoReport v2 endpoints (https://wiki.open311.org/GeoReport_v2) under ``/open311/v2/``.

Thin adapters: parse the parameters, check the key and the jurisdiction, call the selectors or
``submit.create_request`` (which calls ``intake.actions.submit_report``), and render JSON or XML. Every error is
answered in the spec's shape with its status: 404 unknown service, request, token or format; 403 missing, bad or
inactive ``api_key`` or a key whose jurisdiction excludes the place; 429 too many requests for one key; 400
anything else. Messages follow ``locale`` (``en`` or ``zh``), else Accept-Language, else Chinese.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from gridgov.cases.models import Category
from gridgov.cases.selectors import category_by_code
from gridgov.geo.models import Area
from gridgov.intake.keys import note_key_used
from gridgov.intake.models import ApiKey
from gridgov.intake.open311 import selectors
from gridgov.intake.open311.dates import parse_w3c
from gridgov.intake.open311.errors import Open311Error
from gridgov.intake.open311.payloads import request_payloads, service_notice
from gridgov.intake.open311.renderers import FORMATS, Payload, render
from gridgov.intake.open311.services import active_categories, definition_payload, service_payload
from gridgov.intake.open311.submit import create_request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this server's GeoReport interface last changed (the discovery document's changeset).
CHANGESET = "2026-05-14T00:00:00+08:00"
MAX_RANGE = timedelta(days=90)

View = Callable[..., Payload]


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the form body (POST) or the query string."""
    if request.method == "POST" and name in request.POST:
        return str(request.POST.get(name) or "").strip()
    return str(request.GET.get(name) or "").strip()


@contextmanager
def _language(request: HttpRequest) -> Iterator[str]:
    asked = _param(request, "locale").lower().replace("_", "-")
    if asked.startswith("en"):
        language = "en"
    elif asked.startswith("zh"):
        language = "zh-hans"
    else:
        language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        yield language


def _errors(error: Open311Error) -> Payload:
    return Payload(error.payload(), "errors", "error", error.status)


def _answer_digest(request: HttpRequest, fmt: str, language: str, stamp: int) -> str:
    """What a list answer depends on: path, parameters except ``api_key``, format, language and the data stamp."""
    params = sorted((name, tuple(request.GET.getlist(name))) for name in request.GET if name != "api_key")
    return hashlib.sha256(repr((request.path, fmt, language, params, stamp)).encode()).hexdigest()


def _etag(digest: str) -> str:
    """A weak validator that also changes every minute: the default 90-day window moves with the clock."""
    minute = int(timezone.now().timestamp()) // 60
    return 'W/"' + hashlib.sha256(f"{digest}:{minute}".encode()).hexdigest()[:32] + '"'


def open311(*methods: str, cached: bool = False) -> Callable[[View], Callable[..., HttpResponse]]:
    """Wrap a view that returns a ``Payload``: format check, language, method check, the key of a GET (optional
    there, but checked and rate-limited when given), errors, rendering.

    ``cached`` GET answers (lists of public data) carry an ETag and answer a matching ``If-None-Match`` with 304,
    and are kept in the cache for at most ``OPEN311_CACHE_SECONDS``, keyed on the data stamp (the newest case
    timeline row): any change to a case makes the next answer fresh at once, in every worker process. What the
    stamp does not see (a renamed category or area) shows within that many seconds. One request and a token are
    never cached."""

    def decorate(view: View) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            with _language(request) as language:
                response = _answer(view, methods, cached, request, fmt, language, kwargs)
                response["Content-Language"] = language
                return response

        return wrapper

    return decorate


def _answer(
    view: View,
    methods: tuple[str, ...],
    cached: bool,
    request: HttpRequest,
    fmt: str,
    language: str,
    kwargs: dict[str, Any],
) -> HttpResponse:
    if fmt not in FORMATS:
        message = _("Unknown format %(format)s: use json or xml.") % {"format": fmt[:10]}
        return render(_errors(Open311Error(404, message)), "json")
    if request.method not in methods:
        message = _("This endpoint does not answer %(method)s.") % {"method": request.method}
        response = render(_errors(Open311Error(405, message)), fmt)
        response["Allow"] = ", ".join(methods)
        return response
    try:
        if request.method != "GET":
            return render(view(request, fmt=fmt, **kwargs), fmt)
        _api_key(request, required=False)
        if not cached:
            return render(view(request, fmt=fmt, **kwargs), fmt)
        digest = _answer_digest(request, fmt, language, selectors.data_stamp())
        etag = _etag(digest)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return _validated(HttpResponseNotModified(), etag)
        seconds = int(settings.GRIDGOV.get("OPEN311_CACHE_SECONDS", 30))
        key = f"open311:{digest}"
        hit = cache.get(key) if seconds > 0 else None
        if hit is not None:
            return _validated(HttpResponse(hit, content_type=FORMATS[fmt]), etag)
        response = render(view(request, fmt=fmt, **kwargs), fmt)
        if response.status_code != 200:
            return response
        if seconds > 0:
            cache.set(key, response.content, seconds)
        return _validated(response, etag)
    except Open311Error as error:
        response = render(_errors(error), fmt)
        if error.status == 429:
            response["Retry-After"] = str(getattr(request, "_open311_retry_after", 60))
        return response


def _validated(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # clients and proxies may keep it, but ask again (If-None-Match)
    return response


# --- Parameters ----------------------------------------------------------------------------------------------------


def _jurisdiction(request: HttpRequest) -> Area | None:
    value = _param(request, "jurisdiction_id")
    if not value:
        return None
    area = selectors.find_jurisdiction(value)
    if area is None:
        raise Open311Error(
            400,
            _(
                "Unknown jurisdiction_id %(value)s: use the code (or case number prefix) of a town or district."
            )
            % {"value": value[:40]},
        )
    return area


def _api_key(request: HttpRequest, *, required: bool) -> ApiKey | None:
    raw = _param(request, "api_key")
    if not raw:
        if required:
            raise Open311Error(403, _("An api_key is required to submit a request."))
        return None
    key = selectors.find_api_key(raw)
    if key is None:
        raise Open311Error(403, _("The api_key is not valid."))
    if not key.is_active:
        raise Open311Error(403, _("This api_key has been deactivated."))
    rate = str(settings.GRIDGOV.get("OPEN311_RATE_PER_KEY", "6000/m"))
    usage = get_usage(
        request, group="open311-key", key=lambda group, req: str(key.pk), rate=rate, increment=True
    )
    if usage is not None and usage["should_limit"]:
        request._open311_retry_after = max(int(usage["time_left"]), 1)  # type: ignore[attr-defined]
        raise Open311Error(429, _("Too many requests with this api_key; slow down and try again later."))
    note_key_used(key)
    return key


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _date(request: HttpRequest, name: str) -> datetime | None:
    value = _param(request, name)
    if not value:
        return None
    moment = parse_w3c(value)
    if moment is None:
        raise Open311Error(
            400,
            _("%(field)s must be a W3C date-time, e.g. 2026-05-14T09:30:00+08:00 or 2026-05-14T01:30:00Z.")
            % {"field": name},
        )
    return moment


def _range(request: HttpRequest) -> tuple[datetime, datetime]:
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start is not None and end is not None:
        if start > end:
            raise Open311Error(400, _("start_date must not be after end_date."))
        if end - start > MAX_RANGE:
            raise Open311Error(400, _("The range from start_date to end_date may span at most 90 days."))
        return start, end
    if start is not None:
        return start, start + MAX_RANGE
    if end is not None:
        return end - MAX_RANGE, end
    now = timezone.now()
    return now - MAX_RANGE, now


def _page(request: HttpRequest) -> tuple[int, int]:
    """The extension parameters ``page`` (from 1) and ``page_size`` (at most ``OPEN311_MAX_REQUESTS``)."""
    page = _param(request, "page") or "1"
    if not page.isdigit() or not 1 <= int(page) <= 100000:
        raise Open311Error(400, _("page must be a whole number from 1."))
    largest = selectors.max_requests()
    size = _param(request, "page_size") or str(largest)
    if not size.isdigit() or not 1 <= int(size) <= largest:
        raise Open311Error(400, _("page_size must be a whole number from 1 to %(max)d.") % {"max": largest})
    return int(page), int(size)


# --- Endpoints -----------------------------------------------------------------------------------------------------


@open311("GET", cached=True)
def discovery(request: HttpRequest, fmt: str) -> Payload:
    """Where the endpoint is, its formats, and the jurisdictions it serves (an extension of the spec)."""
    url = request.build_absolute_uri(reverse("open311:root"))
    conf = settings.GRIDGOV
    data = {
        "changeset": CHANGESET,
        "contact": str(conf.get("OPEN311_CONTACT", "")) or _("The platform administrator of GridGov."),
        "key_service": str(conf.get("OPEN311_KEY_SERVICE", ""))
        or _("API keys are issued by the platform administrator (gridgov open311_key, or the admin site)."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
        "jurisdictions": [
            {"jurisdiction_id": area.code, "name": area.name, "case_prefix": area.case_prefix}
            for area in selectors.jurisdictions()
        ],
    }
    return Payload(data, "discovery")


@open311("GET", cached=True)
def services(request: HttpRequest, fmt: str) -> Payload:
    _jurisdiction(request)
    return Payload([service_payload(c) for c in active_categories()], "services", "service")


@open311("GET", cached=True)
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> Payload:
    _jurisdiction(request)
    category = category_by_code(service_code)
    if category is None:
        raise Open311Error(404, _("Unknown service_code %(code)s.") % {"code": service_code[:40]})
    return Payload(definition_payload(category), "service_definition")


@open311("GET", "POST", cached=True)
def requests(request: HttpRequest, fmt: str) -> Payload:
    if request.method == "POST":
        return _post_request(request)
    jurisdiction = _jurisdiction(request)
    numbers = _csv(_param(request, "service_request_id"))
    if numbers:
        rows = selectors.list_requests(jurisdiction=jurisdiction, numbers=numbers)
    else:
        codes = _csv(_param(request, "service_code"))
        if codes:
            known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
            unknown = [code for code in codes if code not in known]
            if unknown:
                raise Open311Error(404, _("Unknown service_code %(code)s.") % {"code": unknown[0][:40]})
        statuses = [s.lower() for s in _csv(_param(request, "status"))]
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error(400, _("status must be open, closed or both (comma separated)."))
        start, end = _range(request)
        page, page_size = _page(request)
        rows = selectors.list_requests(
            jurisdiction=jurisdiction,
            service_codes=codes,
            statuses=statuses,
            start=start,
            end=end,
            page=page,
            page_size=page_size,
        )
    return Payload(request_payloads(rows), "service_requests", "request")


def _post_request(request: HttpRequest) -> Payload:
    key = _api_key(request, required=True)
    assert key is not None  # noqa: S101 - required=True raises instead
    jurisdiction = _jurisdiction(request)
    params = request.GET.copy()  # the form body wins over the query string
    for name in request.POST:
        params.setlist(name, request.POST.getlist(name))
    submitted = create_request(
        params=params, key=key, jurisdiction=jurisdiction, sender=request.META.get("REMOTE_ADDR", "")
    )
    case = submitted.case
    notice = _("Received as %(number)s.") % {"number": case.number}
    more = service_notice(case.category)
    account_id = str(submitted.submission.extra.get("account_id", "")) or None
    data = {
        "service_request_id": case.number,
        "service_notice": f"{notice} {more}".strip(),
        "account_id": account_id,
    }
    return Payload([data], "service_requests", "request", status=201)


@open311("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> Payload:
    jurisdiction = _jurisdiction(request)
    row = selectors.get_request(request_id, jurisdiction=jurisdiction)
    if row is None:
        raise Open311Error(404, _("Unknown service_request_id %(id)s.") % {"id": request_id[:40]})
    return Payload(request_payloads([row]), "service_requests", "request")


@open311("GET")
def token(request: HttpRequest, fmt: str, token: str) -> Payload:
    jurisdiction = _jurisdiction(request)
    submission = selectors.find_token(token, jurisdiction=jurisdiction)
    if submission is None:
        raise Open311Error(404, _("Unknown token."))
    return Payload(
        [{"service_request_id": submission.case.number, "token": submission.token}],
        "service_requests",
        "request",
    )


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """``/open311/v2/``: the discovery document in JSON."""
    return discovery(request, fmt="json")


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    fmt = "xml" if path.lower().endswith(".xml") else "json"
    with _language(request):
        return render(_errors(Open311Error(404, _("There is no such Open311 endpoint."))), fmt)
