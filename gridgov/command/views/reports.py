"""Command-center pages: reports (通报) — the area's weekly and monthly bulletins, a form to generate one now, and
an HTML preview of the bulletin of the chosen period.

The list and the downloads need ``VIEW_ANALYSIS`` on the area (``analysis_area``: 404 for an unknown area, 403
outside the user's command center). A download names the area and the file; only names that the generator writes
are served, and only from inside ``REPORT_DIR`` (``reports.files.stored_file``), so a crafted name cannot reach
another file. Generating is a read of the data and a write of two files (``generate_bulletin``), as cron does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.command.periods import Period
from gridgov.command.reports import generate_bulletin
from gridgov.command.reports.files import CONTENT_TYPES, StoredBulletin, stored_bulletins, stored_file
from gridgov.command.reports.tables import (
    RANKING_COLUMN,
    UNIT_COLUMNS,
    figure_cells,
    format_value,
    unit_cells,
)
from gridgov.command.selectors.areas import analysis_area
from gridgov.command.selectors.bulletin import Bulletin, build_bulletin
from gridgov.command.views.common import CommandPage, command_page, login_required

#: The periods a bulletin is generated for from the page (cron does the same two).
BULLETIN_KINDS = [("week", gettext_lazy("Week")), ("month", gettext_lazy("Month"))]


class GenerateForm(forms.Form):
    """Generate the bulletin of the week or month that contains ``date`` (not one that has not started yet)."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=BULLETIN_KINDS)
    date = forms.DateField(
        label=gettext_lazy("A day in it"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("That period has not started yet."))
        return day

    def chosen_period(self) -> Period:
        return Period.containing(self.cleaned_data["period"], self.cleaned_data["date"])


def _default_period(request: HttpRequest, page: CommandPage) -> Period:
    """Without a period in the address, the last complete month (what the 1st's cron writes)."""
    if any(name in request.GET for name in ("period", "date", "start", "end")):
        return page.period
    return Period.containing("month", timezone.localdate()).previous()


def _page_url(area_code: str, period: Period) -> str:
    return f"{reverse('command:reports')}?{urlencode({'area': area_code, **period.query()})}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reports_page(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("area") if request.method == "POST" else None
    page = command_page(request, code, default_period="month")
    page.period = _default_period(request, page)
    if request.method == "POST":
        form = GenerateForm(request.POST)
        if form.is_valid():
            period = form.chosen_period()
            files = generate_bulletin(page.area, period)
            messages.success(
                request,
                _("The bulletin of %(area)s for %(period)s has been written (%(files)s).")
                % {"area": page.area.name, "period": period.label, "files": ", ".join(p.name for p in files)},
            )
            return HttpResponseRedirect(_page_url(page.area.code, period))
        status = 400
    else:
        kind = page.period.kind if page.period.kind in dict(BULLETIN_KINDS) else "month"
        form = GenerateForm(initial={"period": kind, "date": page.period.start})
        status = 200
    bulletin = build_bulletin(page.area, page.period)
    context = page.context(
        command_tab="reports",
        show_period_picker=True,
        form=form,
        stored=[_stored_entry(page.area.code, item) for item in stored_bulletins(page.area.code)],
        **_preview_context(bulletin),
    )
    return render(request, "command/reports.html", context, status=status)


def _stored_entry(area_code: str, item: StoredBulletin) -> dict[str, Any]:
    return {
        "bulletin": item,
        "preview_url": _page_url(area_code, item.period),
        "files": [
            {
                "file": stored,
                "url": reverse("command:report_download", args=[area_code, stored.name]),
            }
            for stored in item.ordered_files
        ],
    }


def _preview_context(bulletin: Bulletin) -> dict[str, Any]:
    """The bulletin plus its tables' cells already formatted (the same formats as the files)."""
    busiest = max((day.count for day in bulletin.daily), default=0)
    top_category = max((volume.count for volume in bulletin.categories), default=0)
    return {
        "bulletin": bulletin,
        "unit_headers": [column.label for column in UNIT_COLUMNS],
        "unit_rows": [(unit, unit_cells(unit)) for unit in bulletin.units],
        "area_cells": figure_cells(bulletin.figures),
        "department_rows": [(unit, unit_cells(unit)) for unit in bulletin.departments],
        "rankings": [
            (
                ranking,
                RANKING_COLUMN[ranking.metric].label,
                [
                    (
                        unit,
                        format_value(
                            RANKING_COLUMN[ranking.metric].value(unit.figures),
                            RANKING_COLUMN[ranking.metric].kind,
                        ),
                    )
                    for unit in ranking.units
                ],
            )
            for ranking in bulletin.rankings
        ],
        "daily": [(day, f"{day.count / busiest:.3f}" if busiest else "0") for day in bulletin.daily],
        "category_rows": [
            (volume, f"{volume.count / top_category:.3f}" if top_category else "0")
            for volume in bulletin.categories
        ],
    }


@never_cache
@login_required
@require_GET
def report_download(request: HttpRequest, area_code: str, filename: str) -> FileResponse:
    """Stream one kept file; 404 for any name that is not a bulletin of this area in ``REPORT_DIR``."""
    area = analysis_area(request.user, area_code)
    found = stored_file(area.code, filename)
    if found is None:
        raise Http404(_("No such bulletin file."))
    extension = found.suffix.lstrip(".")
    return FileResponse(
        found.open("rb"),
        as_attachment=True,
        filename=f"{area.name}-{found.name}",
        content_type=CONTENT_TYPES[extension],
    )


urlpatterns: list[URLPattern] = [
    path("", reports_page, name="reports"),
    path("download/<str:area_code>/<str:filename>", report_download, name="report_download"),
]
