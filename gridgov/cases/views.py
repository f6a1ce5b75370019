"""Pages of the cases app. For now: the categories and what belongs in each (public)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gridgov.cases.choices import RequestType
from gridgov.cases.selectors import active_categories


@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/categories.html",
        {"categories": active_categories(), "request_types": RequestType.choices},
    )
