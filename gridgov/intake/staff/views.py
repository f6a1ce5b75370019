"""Staff intake pages: the grid worker's patrol report (巡查上报), the hotline entry (热线录入) and the live triage
suggestion both forms ask for while the text is typed.

The views are adapters: they check who may use the page (``selectors.may_patrol`` / ``may_take_calls``), build
the ``Intake`` and call the actions. What the actions refuse comes back onto the form with everything typed
kept: a ``ValidationError`` next to its field, a ``PermissionDenied`` (the place lies outside the user's area) at
the top. A saved report redirects to an empty form (post/redirect/get) with a message naming the new case.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can_somewhere
from gridgov.cases.choices import Channel, Priority
from gridgov.cases.models import Case
from gridgov.core.api import error_body
from gridgov.intake.actions import Intake, submit_report
from gridgov.intake.staff.actions import submit_patrol_report
from gridgov.intake.staff.forms import HotlineForm, PatrolForm
from gridgov.intake.staff.selectors import (
    hotline_centers,
    may_patrol,
    may_suggest,
    may_take_calls,
    patrol_grids,
    suggest,
)
from gridgov.triage.selectors import DANGER_LABELS

PATROL_SOURCE = "patrol"
HOTLINE_SOURCE = "hotline"
#: The operator's last center, pre-selected for the next call (only when they take calls for several).
CENTER_SESSION_KEY = "intake_hotline_center"


def _user(request: HttpRequest) -> User:
    # login_required has let only signed-in users through.
    return cast(User, request.user)


def _out_of_scope() -> str:
    return _(
        "You may not report cases in this place: it lies outside your area. Check the location, the grid or "
        "the address."
    )


def _case_link(case: Case) -> str:
    return format_html('<a href="{}">{}</a>', reverse("cases:detail", args=[case.number]), case.number)


def _message(text: str, **values: str) -> str:
    """A translated message with ``%(name)s`` placeholders filled by (escaped or already safe) HTML values."""
    template = text.replace("{", "{{").replace("}", "}}")
    names = []
    for name in sorted(values, key=lambda key: template.find(f"%({key})s")):
        if f"%({name})s" in template:
            template = template.replace(f"%({name})s", "{}")
            names.append(name)
    return format_html(template, *(values[name] for name in names))


def _suggest_context() -> dict[str, Any]:
    return {
        "suggest_url": reverse("staff:suggest"),
        "cue_labels": {kind: str(label) for kind, label in DANGER_LABELS.items()},
    }


# --- Patrol report -----------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def patrol(request: HttpRequest) -> HttpResponse:
    """巡查上报: photos from the camera, a GPS fix, the text, the suggested category, 格内化解 on the spot."""
    user = _user(request)
    if not may_patrol(user):
        raise PermissionDenied(
            _("The patrol report is for grid workers and staff who report cases in their area.")
        )
    grids = patrol_grids(user)
    may_resolve = can_somewhere(user, Verb.RESOLVE_IN_GRID)
    if request.method == "POST":
        form = PatrolForm(request.POST, request.FILES, grids=grids, may_resolve=may_resolve)
        if form.is_valid():
            data = form.cleaned_data
            intake = Intake(
                channel=Channel.GRID_WORKER,
                source=PATROL_SOURCE,
                text=data["text"],
                category=data["category"],
                lat=data["lat"],
                lon=data["lon"],
                coord_system="wgs84",  # browsers' geolocation is WGS-84; nothing to convert
                address=data["address"],
                grid=form.report_grid(),
                photos=data["photos"],
            )
            try:
                submitted = submit_patrol_report(
                    actor=user,
                    intake=intake,
                    resolved_result=data.get("result") or "",
                    result_photos=data.get("result_photos") or [],
                )
            except ValidationError as error:
                form.add_action_errors(error)
            except PermissionDenied:
                form.add_permission_error(_out_of_scope())
            else:
                case = submitted.case
                if data.get("resolved"):
                    text = _("Case %(case)s reported and resolved in the grid.")
                else:
                    text = _("Case %(case)s reported; it is in your queue.")
                messages.success(request, _message(text, case=_case_link(case)))
                return redirect("staff:patrol")
    else:
        form = PatrolForm(grids=grids, may_resolve=may_resolve)
    return render(
        request,
        "intake/staff/patrol.html",
        {
            "form": form,
            "only_grid": form.only_grid,
            "may_resolve": may_resolve,
            **_suggest_context(),
        },
    )


# --- Hotline entry -----------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    """热线录入: one phone call → one case; after saving, an empty form for the next call."""
    user = _user(request)
    if not may_take_calls(user):
        raise PermissionDenied(_("The hotline entry is for the operators of a command center."))
    centers = hotline_centers(user)
    if request.method == "POST":
        form = HotlineForm(request.POST, centers=centers)
        if form.is_valid():
            data = form.cleaned_data
            intake = Intake(
                channel=Channel.HOTLINE,
                source=HOTLINE_SOURCE,
                text=data["text"],
                category=data["category"],
                request_type=data["request_type"],
                priority=Priority.URGENT if data["urgent"] else "",
                address=data["address"],
                intake_area=form.intake_area(),
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                external_id=data["external_id"],
            )
            try:
                submitted = submit_report(actor=user, intake=intake)
            except ValidationError as error:
                form.add_action_errors(error)
            except PermissionDenied:
                form.add_permission_error(_out_of_scope())
            else:
                if "center" in form.fields and form.cleaned_data.get("center") is not None:
                    request.session[CENTER_SESSION_KEY] = form.cleaned_data["center"].pk
                if submitted.created:
                    text = _("Call saved as case %(case)s.")
                    messages.success(request, _message(text, case=_case_link(submitted.case)))
                else:
                    text = _(
                        "Work order %(order)s was already entered: it is case %(case)s. Nothing was added."
                    )
                    messages.warning(
                        request, _message(text, order=data["external_id"], case=_case_link(submitted.case))
                    )
                return redirect("staff:hotline")
    else:
        form = HotlineForm(centers=centers, initial={"center": request.session.get(CENTER_SESSION_KEY)})
    return render(
        request,
        "intake/staff/hotline.html",
        {"form": form, "centers": form.center_choices, **_suggest_context()},
    )


# --- The live suggestion -----------------------------------------------------------------------------------------


@never_cache
@require_GET
def suggest_view(request: HttpRequest) -> JsonResponse:
    """``?text=…&address=…`` → the top-3 categories, urgency, request type and the place named. Reads only."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse(error_body("not_authenticated", _("Sign in first.")), status=401)
    if not may_suggest(user):
        return JsonResponse(
            error_body("permission_denied", _("You are not allowed to do this here.")), status=403
        )
    result = suggest(request.GET.get("text", ""), request.GET.get("address", ""))
    return JsonResponse(result.as_json())
