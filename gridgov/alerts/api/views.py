"""The early-warning API: the alerts of a command center's area, one alert with its evidence and timeline, and one
``POST /api/v1/alerts/{id}/{verb}/`` per verb.

Adapters, as the pages (``alerts.views``) are: the area and its permission come from
``command.selectors.areas.analysis_area`` (``VIEW_ANALYSIS``: 403 outside the user's areas, 404 unknown), an alert
outside them is 403 as on its page, acting needs ``actions.ACT_VERB`` (403). Each verb's input is the page's form
(400 naming the field); the actions check the rest (a note or conclusion is required: 400; a closed alert does not
change: 409) and write the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from gridgov.accounts.models import User
from gridgov.accounts.permissions import can, require
from gridgov.alerts import actions
from gridgov.alerts import forms as alert_forms
from gridgov.alerts.api import serializers as s
from gridgov.alerts.models import Alert
from gridgov.alerts.selectors import alerts_in
from gridgov.alerts.workflow import AlertVerb, allowed, is_open
from gridgov.cases.api.serializers import ErrorSerializer
from gridgov.command.selectors.areas import analysis_area

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Validation: `fields` names each field and why."),
    403: OpenApiResponse(ErrorSerializer, description="Outside your command center, or not allowed to act."),
    404: OpenApiResponse(ErrorSerializer, description="No such alert (or area)."),
    409: OpenApiResponse(
        ErrorSerializer, description="The alert's status does not allow this (e.g. closed)."
    ),
}


def _user(request: Request) -> User:
    # The default permission class (IsAuthenticated) has let only signed-in users through.
    return cast(User, request.user)


def _alert(request: Request, pk: int) -> Alert:
    """The alert if the user may see it: 404 unknown, 403 outside the user's command center (as its page)."""
    alert = get_object_or_404(Alert.objects.select_related("rule", "area"), pk=pk)
    if not can(request.user, actions.VIEW_VERB, alert):
        raise PermissionDenied(_("This area is outside your command center."))
    return alert


# --- List and detail ---------------------------------------------------------------------------------------------


class AlertPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema(
    parameters=[s.AlertQuerySerializer],
    responses={200: s.AlertListSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
    summary="The alerts of an area and the areas under it, open first",
)
class AlertList(generics.ListAPIView):
    """The alerts the user may see in ``area`` (default: their first command-center area): open first, then
    acknowledged, followed and closed; within a status the most severe and the newest first."""

    serializer_class = s.AlertListSerializer
    pagination_class = AlertPagination
    filter_backends: list[type] = []  # the filters are parsed below, as the page's

    def get_queryset(self) -> QuerySet[Alert]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, without a user
            return Alert.objects.none()
        query = s.AlertQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        area = analysis_area(self.request.user, data.get("area") or None)
        return alerts_in(
            area, status=data.get("status", ""), rule=data.get("rule", ""), severity=data.get("severity", "")
        )


def _detail(user: User, pk: int) -> dict[str, Any]:
    alert = Alert.objects.select_related("rule", "area").get(pk=pk)
    return cast(
        dict[str, Any],
        s.AlertDetailSerializer(alert, context={"available_actions": available_actions(user, alert)}).data,
    )


class AlertDetail(APIView):
    @extend_schema(
        responses={200: s.AlertDetailSerializer, 403: ERRORS[403], 404: ERRORS[404]},
        summary="An alert with its evidence cases, timeline and the verbs you may do now",
    )
    def get(self, request: Request, pk: int) -> Response:
        alert = _alert(request, pk)
        return Response(_detail(_user(request), alert.pk))


# --- Verbs -------------------------------------------------------------------------------------------------------

Data = dict[str, Any]


@dataclass(frozen=True)
class VerbSpec:
    """One verb: the page's form that parses its input, the action it calls, and the status move it needs (None:
    any open alert)."""

    form: type[forms.Form]
    perform: Callable[[User, Alert, Data], object]
    summary: str
    status_verb: AlertVerb | None = None


VERBS: dict[str, VerbSpec] = {
    "acknowledge": VerbSpec(
        alert_forms.AcknowledgeForm,
        lambda user, alert, d: actions.acknowledge_alert(actor=user, alert=alert, note=d["note"]),
        "Acknowledge (已知悉), with an optional note",
        AlertVerb.ACKNOWLEDGE,
    ),
    "follow_up": VerbSpec(
        alert_forms.FollowUpForm,
        lambda user, alert, d: actions.follow_up_alert(actor=user, alert=alert, note=d["note"]),
        "Add a follow-up note (跟进); acknowledges an open alert",
        AlertVerb.FOLLOW_UP,
    ),
    "link_case": VerbSpec(
        alert_forms.LinkCaseForm,
        lambda user, alert, d: actions.link_case_number_to_alert(
            actor=user, alert=alert, number=d["case"], note=d["note"]
        ),
        "Link a case by its number to the alert's evidence",
    ),
    "close": VerbSpec(
        alert_forms.CloseForm,
        lambda user, alert, d: actions.close_alert(actor=user, alert=alert, conclusion=d["conclusion"]),
        "Close with a conclusion (办结)",
        AlertVerb.CLOSE,
    ),
}


def available_actions(user: User, alert: Alert) -> list[str]:
    """The verbs ``user`` may do on ``alert`` now: those the page shows a form for."""
    if not can(user, actions.ACT_VERB, alert):
        return []
    return [
        name
        for name, spec in VERBS.items()
        if (allowed(alert.status, spec.status_verb) if spec.status_verb else is_open(alert.status))
    ]


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


class AlertVerbView(APIView):
    """``POST /api/v1/alerts/{id}/{verb}/``: check, parse with the page's form, call the action, answer with the
    updated alert."""

    verb = ""

    def post(self, request: Request, pk: int) -> Response:
        spec = VERBS[self.verb]
        user = _user(request)
        alert = _alert(request, pk)
        require(user, actions.ACT_VERB, alert)
        serializers.Serializer(data=request.data).is_valid(raise_exception=True)  # an object, not a list
        form = spec.form(data=request.data)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        spec.perform(user, alert, form.cleaned_data)
        return Response(_detail(user, alert.pk))


def verb_view(verb: str) -> type[AlertVerbView]:
    """The view class of one verb, with its own request schema in the OpenAPI document."""
    spec = VERBS[verb]
    name = "".join(part.title() for part in verb.split("_"))
    view = type(f"Alert{name}View", (AlertVerbView,), {"verb": verb})
    decorated: type[AlertVerbView] = extend_schema_view(
        post=extend_schema(
            request=s.form_serializer(spec.form, f"Alert{name}Serializer"),
            responses={200: s.AlertDetailSerializer, **ERRORS},
            summary=spec.summary,
            operation_id=f"alerts_{verb}",
        )
    )(view)
    return decorated
