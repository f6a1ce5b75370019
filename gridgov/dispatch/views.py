"""Pages of coordination (联动指挥): the command center's board of an area's coordinated cases, each with every
department's progress side by side; the page of one case where its team is formed or re-formed with a joint
deadline; and the page where a helper department (协办) reports its part done.

The views are adapters: they resolve the command-center area (``command.views.common.command_page``: 404 for an
unknown area, 403 for one outside the user's command center), check permission, call ``dispatch.actions`` and
render. The actions decide; their ``ValidationError`` goes back next to the field it names.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can
from gridgov.cases.forms import TEXTAREA, DepartmentsForm
from gridgov.cases.models import Case
from gridgov.command.selectors.areas import analysis_areas
from gridgov.command.views.common import command_page
from gridgov.core.calendar import add_working_days
from gridgov.core.exceptions import Conflict
from gridgov.dispatch.actions import coordinate_case, finish_helper_part
from gridgov.dispatch.models import Assignment, Department
from gridgov.dispatch.selectors import (
    TeamProgress,
    coordinated_cases,
    coordination_board,
    coordination_orders,
    coordinator_role,
    departments_serving,
    helper_assignment_of,
    may_coordinate,
    suggest_route,
    team_progress,
)

PAGE_SIZE = 20

#: The tabs of the board: cases still being worked on, and the others.
STATES = {
    "active": gettext_lazy("In progress"),
    "finished": gettext_lazy("Finished"),
}

DEADLINE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


# --- Forms -------------------------------------------------------------------------------------------------------


class CoordinateForm(DepartmentsForm):
    """The team (a lead and helpers among the departments serving the place), the joint deadline and the order.

    The deadline is a moment, or a number of Chinese working days from now (counted by ``core.calendar``), which
    wins when both are given: the moment is pre-filled with the case's current deadline.
    """

    deadline = forms.DateTimeField(
        label=gettext_lazy("Joint deadline"),
        required=False,
        input_formats=DEADLINE_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("Or: within working days"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=gettext_lazy(
            "Counted in Chinese working days from now; when given, it replaces the deadline."
        ),
    )
    instruction = forms.CharField(
        label=gettext_lazy("Coordination instruction"), widget=TEXTAREA, max_length=2000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "deadline" in self.errors or "working_days" in self.errors:
            return data
        if data.get("working_days"):
            data["deadline"] = add_working_days(timezone.now(), data["working_days"]).at
        elif data.get("deadline") is None:
            self.add_error("deadline", _("Give the joint deadline or a number of working days."))
        return data


class HelperPartForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What your department did"), widget=TEXTAREA, max_length=4000)


# --- Helpers -----------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # login_required has let only signed-in users through.
    return cast(User, request.user)


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related("category", "grid", "owner_area").prefetch_related(
        "assignments__department"
    )


def _departments_for(case: Case) -> QuerySet[Department]:
    return departments_serving(case.grid or case.owner_area).order_by("area__path", "name")


def _attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the action's errors next to the fields they name (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            target = name if name in form.fields and name != "version" else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _area_code_for(user: User, case: Case, requested: str | None) -> str | None:
    """The command area of a case page: the one asked for, else the user's command area that contains the case."""
    if requested:
        return requested
    containing = [area for area in analysis_areas(user) if case.area_path.startswith(area.path)]
    return containing[0].code if containing else None


def _initial(case: Case, team: TeamProgress) -> dict[str, Any]:
    """The form starts from the current team, else from the routing rule; the deadline from the case's own."""
    lead = team.lead.assignment.department_id if team.lead else None
    helpers = [part.assignment.department_id for part in team.helpers]
    if lead is None and case.category is not None:
        suggestion = suggest_route(case.category, case.grid or case.owner_area)
        if suggestion is not None:
            lead, helpers = suggestion.lead.pk, [helper.pk for helper in suggestion.helpers]
    deadline = case.resolve_by if case.resolve_by and case.resolve_by > timezone.now() else None
    return {"version": case.version, "lead": lead, "helpers": helpers, "deadline": deadline}


def _coordinate_url(case: Case, area_code: str) -> str:
    return f"{reverse('dispatch:coordinate', kwargs={'case_id': case.pk})}?area={area_code}"


# --- Pages -------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def coordination(request: HttpRequest) -> HttpResponse:
    """The board (联动指挥): the area's coordinated cases, each with its joint deadline, its lead and every
    assignment's status, signed and finished times side by side; late ones in red."""
    page = command_page(request)
    user = _user(request)
    state = request.GET.get("state") or "active"
    if state not in STATES:
        state = "active"
    cases = coordinated_cases(user, page.area, finished=state == "finished")
    listing = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dispatch/coordination.html",
        page.context(
            command_tab="coordination",
            state=state,
            states=list(STATES.items()),
            listing=listing,
            board=coordination_board(listing.object_list, now=timezone.now()),
        ),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def coordinate(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case: its team's progress side by side, the orders given so far and, for the dispatcher holding the case
    or a leader of its area, the form that forms or re-forms the team with a joint deadline."""
    user = _user(request)
    case = get_object_or_404(_cases(), pk=case_id)
    page = command_page(request, _area_code_for(user, case, request.GET.get("area")))
    if not case.area_path.startswith(page.area.path) or not can(user, Verb.VIEW_CASE, case):
        raise PermissionDenied(_("This case lies outside your command center."))
    departments = _departments_for(case)
    form: CoordinateForm | None = None
    conflict = ""
    status = 200
    if request.method == "POST":
        if coordinator_role(user, case) is None:
            raise PermissionDenied(_("You are not allowed to do this here."))
        form = CoordinateForm(request.POST, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            try:
                coordinate_case(
                    actor=user,
                    case=case,
                    lead=data["lead"],
                    helpers=list(data["helpers"]),
                    deadline=data["deadline"],
                    instruction=data["instruction"],
                    expected_version=data["version"],
                )
            except ValidationError as error:
                _attach_errors(form, error)
            except Conflict as error:  # InvalidTransition too
                conflict, status, form = str(error.message), 409, None
                case = _cases().get(pk=case.pk)
            else:
                messages.success(request, _("The coordination order has been issued."))
                return redirect(_coordinate_url(case, page.area.code))
    now = timezone.now()
    team = team_progress(case, now=now)
    if form is None and may_coordinate(user, case):
        form = CoordinateForm(initial=_initial(case, team), departments=departments)
    history = [
        assignment
        for assignment in sorted(case.assignments.all(), key=lambda item: item.pk)
        if assignment not in {part.assignment for part in team.parts}
    ]
    return render(
        request,
        "dispatch/coordinate.html",
        page.context(
            command_tab="coordination",
            case=case,
            team=team,
            orders=coordination_orders(case),
            history=history,
            form=form,
            capacity=coordinator_role(user, case),
            conflict=conflict,
            form_url=_coordinate_url(case, page.area.code),
        ),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def helper_part(request: HttpRequest, case_id: int) -> HttpResponse:
    """A helper department's page on a coordinated case: the order, the team side by side, and the form that
    reports its part done. Only a handler of a department with an open helper assignment may post."""
    user = _user(request)
    case = get_object_or_404(_cases(), pk=case_id)
    if not can(user, Verb.VIEW_CASE, case):
        raise Http404
    assignment: Assignment | None = helper_assignment_of(user, case)
    form: HelperPartForm | None = None
    conflict = ""
    status = 200
    if request.method == "POST":
        if assignment is None:
            raise PermissionDenied(_("Your department holds no open helper assignment on this case."))
        form = HelperPartForm(request.POST)
        if form.is_valid():
            try:
                finish_helper_part(actor=user, case=case, note=form.cleaned_data["note"])
            except ValidationError as error:
                _attach_errors(form, error)
            except Conflict as error:
                conflict, status = str(error.message), 409
                case = _cases().get(pk=case.pk)
            else:
                messages.success(request, _("Your department's part has been reported done."))
                return redirect("cases:detail", number=case.number)
    elif assignment is not None:
        form = HelperPartForm()
    orders = coordination_orders(case)
    return render(
        request,
        "dispatch/part.html",
        {
            "case": case,
            "assignment": assignment,
            "team": team_progress(case, now=timezone.now()),
            "order": orders[-1] if orders else None,
            "form": form,
            "conflict": conflict,
        },
        status=status,
    )
