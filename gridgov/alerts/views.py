"""Pages of early warning (预警) inside the command center: the alerts of an area and one alert with its evidence,
map, timeline and the action forms.

Adapters only: the area and its permission come from ``command.views.common.command_page`` (``VIEW_ANALYSIS``),
acting needs ``actions.ACT_VERB`` and the actions check it again. Forms post to ``<id>/act/<verb>/`` and are
redirected back (post/redirect/get); an invalid form is shown again with its errors (400), a conflict with the
alert's current state as a message over the fresh page (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.models import User
from gridgov.accounts.permissions import can
from gridgov.alerts import actions
from gridgov.alerts import forms as alert_forms
from gridgov.alerts.choices import AlertStatus
from gridgov.alerts.detectors import reason_labels
from gridgov.alerts.models import Alert
from gridgov.alerts.selectors import alerts_in, evidence_of, rules_for_filter, status_counts, timeline_of
from gridgov.alerts.workflow import AlertVerb, allowed, is_open
from gridgov.command.views.common import command_page, login_required
from gridgov.core.exceptions import Conflict

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- The list ----------------------------------------------------------------------------------------------------


@require_GET
@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts of the area (and the areas under it): open first, filtered by status and rule."""
    page = command_page(request)
    rules = [(rule.code, rule.name) for rule in rules_for_filter()]
    filters = alert_forms.FilterForm(request.GET, rules=rules)
    status = rule = ""
    if filters.is_valid():
        status, rule = filters.cleaned_data["status"], filters.cleaned_data["rule"]
    alerts = alerts_in(page.area, status=status, rule=rule)
    listing = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = status_counts(page.area)
    return render(
        request,
        "alerts/list.html",
        page.context(
            command_tab="alerts",
            show_period_picker=False,
            filters=filters,
            listing=listing,
            status=status,
            rule=rule,
            counts=[(value, label, counts[value]) for value, label in AlertStatus.choices],
        ),
    )


# --- One alert ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageVerb:
    """One action form of the alert page."""

    name: str
    label: Promise
    form_class: type[forms.Form]
    run: Callable[[User, Alert, dict[str, Any]], Any]
    done: Promise
    status_verb: AlertVerb | None = None


def _run_link(user: User, alert: Alert, data: dict[str, Any]) -> Any:
    return actions.link_case_number_to_alert(actor=user, alert=alert, number=data["case"], note=data["note"])


PAGE_VERBS: dict[str, PageVerb] = {
    verb.name: verb
    for verb in (
        PageVerb(
            "acknowledge",
            gettext_lazy("Acknowledge"),
            alert_forms.AcknowledgeForm,
            lambda user, alert, data: actions.acknowledge_alert(actor=user, alert=alert, note=data["note"]),
            gettext_lazy("The alert was acknowledged."),
            AlertVerb.ACKNOWLEDGE,
        ),
        PageVerb(
            "follow_up",
            gettext_lazy("Add a follow-up note"),
            alert_forms.FollowUpForm,
            lambda user, alert, data: actions.follow_up_alert(actor=user, alert=alert, note=data["note"]),
            gettext_lazy("The follow-up note was added."),
            AlertVerb.FOLLOW_UP,
        ),
        PageVerb(
            "link",
            gettext_lazy("Link a case"),
            alert_forms.LinkCaseForm,
            _run_link,
            gettext_lazy("The case was linked to the alert."),
        ),
        PageVerb(
            "close",
            gettext_lazy("Close with a conclusion"),
            alert_forms.CloseForm,
            lambda user, alert, data: actions.close_alert(
                actor=user, alert=alert, conclusion=data["conclusion"]
            ),
            gettext_lazy("The alert was closed."),
            AlertVerb.CLOSE,
        ),
    )
}


def _verb_open(verb: PageVerb, alert: Alert) -> bool:
    if verb.status_verb is not None:
        return allowed(alert.status, verb.status_verb)
    return is_open(alert.status)


def _get_alert(request: HttpRequest, pk: int) -> Alert:
    alert = get_object_or_404(Alert.objects.select_related("rule", "area"), pk=pk)
    if not can(request.user, actions.VIEW_VERB, alert):
        raise PermissionDenied(_("This area is outside your command center."))
    return alert


@dataclass
class ActionPanel:
    verb: PageVerb
    form: forms.Form
    open: bool = False


def _render_detail(
    request: HttpRequest,
    alert: Alert,
    *,
    bound: dict[str, forms.Form] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    page = command_page(request, alert.area.code)
    bound = bound or {}
    panels = []
    if can(user, actions.ACT_VERB, alert):
        for verb in PAGE_VERBS.values():
            if _verb_open(verb, alert):
                form = bound.get(verb.name) or verb.form_class(auto_id=f"id_{verb.name}_%s")
                panels.append(ActionPanel(verb, form, open=verb.name in bound))
    evidence = list(evidence_of(alert))
    points = [
        {
            "number": case.number,
            "title": case.title,
            "lat": case.lat,
            "lon": case.lon,
            "url": reverse("cases:detail", args=[case.number]),
        }
        for case in evidence
        if case.lat is not None and case.lon is not None
    ]
    data = alert.data or {}
    pairs = [
        (first, second, reason_labels(reasons, data))
        for first, second, reasons in data.get("pairs", [])
        if isinstance(reasons, list)
    ]
    return render(
        request,
        "alerts/detail.html",
        page.context(
            command_tab="alerts",
            show_period_picker=False,
            alert=alert,
            evidence=evidence,
            points=points,
            pairs=pairs,
            baseline=data.get("baseline") or [],
            events=timeline_of(alert),
            panels=panels,
            notice=notice,
        ),
        status=status,
    )


@require_GET
@never_cache
@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The alert: what the rule saw, the evidence cases (linked to the case pages), their map and the timeline."""
    return _render_detail(request, _get_alert(request, pk))


@require_POST
@never_cache
@login_required
def alert_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """One action on an alert, posted by the forms of the alert page."""
    page_verb = PAGE_VERBS.get(verb)
    if page_verb is None:
        raise Http404
    alert = _get_alert(request, pk)
    user = _user(request)
    if not can(user, actions.ACT_VERB, alert):
        raise PermissionDenied(_("You are not allowed to do this here."))
    form = page_verb.form_class(request.POST, auto_id=f"id_{page_verb.name}_%s")
    if form.is_valid():
        try:
            page_verb.run(user, alert, form.cleaned_data)
        except ValidationError as error:
            _attach_errors(form, error)
        except Conflict as error:
            fresh = _get_alert(request, pk)
            return _render_detail(request, fresh, notice=str(error.message), status=409)
        else:
            messages.success(request, str(page_verb.done))
            return redirect("alerts:detail", pk=alert.pk)
    return _render_detail(request, alert, bound={page_verb.name: form}, status=400)


def _attach_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
