"""The cases API: the public taxonomy reads, the case list and report, the case detail, its timeline, the
unmasking of personal data, and one ``POST /api/v1/cases/{number}/{verb}/`` per workflow verb.

Views are adapters: they parse the input (one small serializer per verb), look the case up among the cases the
user may see (``selectors.visible_cases``: anything else is a 404), call the action and answer with the updated
detail. Permissions, transitions, version checks and timeline rows are the actions' business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can
from gridgov.cases import actions
from gridgov.cases.api import serializers as s
from gridgov.cases.choices import RequestType
from gridgov.cases.filters import CaseFilter
from gridgov.cases.models import Case, Category, TimeRequest
from gridgov.cases.selectors import visible_cases
from gridgov.cases.verbs import permitted_verbs
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.models import Assignment

# --- Taxonomy (public) --------------------------------------------------------------------------------------------


class CategoryList(generics.ListAPIView):
    """Active categories with their scope text in the request's language."""

    permission_classes = [AllowAny]
    serializer_class = s.CategorySerializer
    pagination_class = None
    filter_backends: list[type] = []
    queryset = Category.objects.filter(is_active=True)


class RequestTypeList(APIView):
    """The request types (诉求类型)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=s.ChoiceSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response([{"code": value, "label": str(label)} for value, label in RequestType.choices])


# --- Helpers ------------------------------------------------------------------------------------------------------

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Validation: `fields` names each field and why."),
    403: OpenApiResponse(s.ErrorSerializer, description="Not allowed here."),
    404: OpenApiResponse(s.ErrorSerializer, description="No such case among those you may see."),
    409: OpenApiResponse(s.ErrorSerializer, description="Invalid transition or a stale `version`."),
}


def _user(request: Request) -> User:
    # The default permission class (IsAuthenticated) has let only signed-in users through.
    return cast(User, request.user)


def _with_details(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("merged_into").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("department")),
        Prefetch("time_requests", queryset=TimeRequest.objects.select_related("requested_by")),
        "photos",
    )


def _visible_case(request: Request, number: str) -> Case:
    """The case, if the user may see it; otherwise 404 (no hint that it exists)."""
    return get_object_or_404(_with_details(visible_cases(request.user)), number=number)


def _detail(user: User, pk: int) -> dict[str, Any]:
    """The detail of a case just changed by ``user`` (read again: the action may have moved it out of the
    user's sight, e.g. a department that returned it; the actor still gets the result of the action)."""
    case = _with_details(Case.objects.select_related("category", "grid", "owner_area")).get(pk=pk)
    return cast(
        dict[str, Any],
        s.CaseDetailSerializer(case, context={"available_actions": available_actions(user, case)}).data,
    )


# --- Which verbs the user may do now ------------------------------------------------------------------------------

#: API verb → the canonical verb of ``cases.verbs`` (the rules the staff case page reads too), in the order
#: ``available_actions`` lists them.
API_VERBS: dict[str, str] = {
    "accept": "accept",
    "reject": "reject",
    "merge": "merge",
    "resolve-in-grid": "resolve_in_grid",
    "escalate": "escalate",
    "dispatch": "dispatch",
    "reassign": "reassign",
    "coordinate": "coordinate",
    "sign": "sign",
    "finish-part": "finish_part",
    "return": "return",
    "resolve": "resolve",
    "request-extension": "request_time",
    "request-suspension": "request_time",
    "decide-request": "decide_time",
    "resume": "resume",
    "verify": "verify",
    "rate": "rate",
    "close": "close",
    "supervise": "supervise",
    "urge": "urge",
    "comment": "comment",
    "reveal": "reveal",
}


def available_actions(user: User, case: Case) -> list[str]:
    """The API verbs ``user`` may perform on ``case`` now (``cases.verbs.permitted_verbs``, by their API names)."""
    permitted = set(permitted_verbs(user, case))
    return [verb for verb, name in API_VERBS.items() if name in permitted]


# --- List, report, detail, timeline, reveal -----------------------------------------------------------------------


class CasePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class CaseListCreate(generics.ListAPIView):
    """The cases the user may see, filtered and paginated; POST reports a case (staff channels)."""

    serializer_class = s.CaseListSerializer
    filterset_class = CaseFilter
    pagination_class = CasePagination

    def get_queryset(self) -> QuerySet[Case]:
        return visible_cases(self.request.user)

    @extend_schema(summary="List the cases you may see")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ReportSerializer,
        responses={201: s.CaseDetailSerializer, 400: ERRORS[400], 403: ERRORS[403]},
        summary="Report a case (hotline, grid worker, staff)",
    )
    def post(self, request: Request) -> Response:
        form = s.ReportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case = actions.report_case(actor=_user(request), **form.validated_data)
        return Response(_detail(_user(request), case.pk), status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    @extend_schema(
        responses={200: s.CaseDetailSerializer, 404: ERRORS[404]},
        summary="A case with assignments, deadlines and the verbs you may do now",
    )
    def get(self, request: Request, number: str) -> Response:
        case = _visible_case(request, number)
        return Response(
            s.CaseDetailSerializer(
                case, context={"available_actions": available_actions(_user(request), case)}
            ).data
        )


class CaseTimeline(APIView):
    @extend_schema(
        responses={200: s.CaseEventSerializer(many=True), 404: ERRORS[404]},
        summary="The timeline of a case (staff see every event, a reporter the public ones)",
    )
    def get(self, request: Request, number: str) -> Response:
        case = _visible_case(request, number)
        events = case.events.select_related("actor")
        # Staff: may view the case by their area or department, not merely as the one who reported it.
        if not can(request.user, Verb.VIEW_CASE, replace(case.permission_scope(), owner_id=None)):
            events = events.filter(public=True)
        return Response(s.CaseEventSerializer(events, many=True).data)


class CaseReveal(APIView):
    @extend_schema(
        request=None,
        responses={200: s.RevealSerializer, 403: ERRORS[403], 404: ERRORS[404]},
        summary="The reporter's name and phone in full (the view is recorded on the timeline)",
    )
    def post(self, request: Request, number: str) -> Response:
        case = _visible_case(request, number)
        return Response(
            s.RevealSerializer(actions.reveal_personal_data(actor=_user(request), case=case)).data
        )


# --- Verbs --------------------------------------------------------------------------------------------------------

Data = dict[str, Any]


def _master(user: User, number: str) -> Case:
    master = visible_cases(user).filter(number=number).first()
    if master is None:
        raise serializers.ValidationError({"master": [_("No such case.")]})
    return master


def _time_request(case: Case, pk: int) -> TimeRequest:
    request = case.time_requests.filter(pk=pk).first()
    if request is None:
        raise serializers.ValidationError({"request": [_("No such request on this case.")]})
    return request


def _accept(user: User, case: Case, d: Data) -> None:
    actions.accept_case(
        actor=user,
        case=case,
        category=d.get("category"),
        request_type=d.get("request_type"),
        priority=d.get("priority"),
        note=d["note"],
        expected_version=d.get("version"),
    )


def _reject(user: User, case: Case, d: Data) -> None:
    actions.reject_case(actor=user, case=case, reason=d["reason"], expected_version=d.get("version"))


def _merge(user: User, case: Case, d: Data) -> None:
    master = _master(user, d["master"])
    actions.merge_case(
        actor=user, case=case, master=master, note=d["note"], expected_version=d.get("version")
    )


def _resolve_in_grid(user: User, case: Case, d: Data) -> None:
    actions.resolve_in_grid(
        actor=user, case=case, result=d["result"], photos=d["photos"], expected_version=d.get("version")
    )


def _escalate(user: User, case: Case, d: Data) -> None:
    actions.escalate_case(actor=user, case=case, reason=d["reason"], expected_version=d.get("version"))


def _coordinate(user: User, case: Case, d: Data) -> None:
    dispatch_actions.coordinate_case(
        actor=user,
        case=case,
        lead=d["lead"],
        helpers=d["helpers"],
        deadline=d["deadline"],
        instruction=d["instruction"],
        expected_version=d.get("version"),
    )


def _dispatch(user: User, case: Case, d: Data) -> None:
    dispatch_actions.dispatch_case(
        actor=user,
        case=case,
        lead=d["lead"],
        helpers=d.get("helpers", []),
        note=d["note"],
        expected_version=d.get("version"),
    )


def _reassign(user: User, case: Case, d: Data) -> None:
    dispatch_actions.reassign_case(
        actor=user,
        case=case,
        lead=d["lead"],
        helpers=d.get("helpers", []),
        reason=d["reason"],
        expected_version=d.get("version"),
    )


def _sign(user: User, case: Case, d: Data) -> None:
    dispatch_actions.sign_case(actor=user, case=case, expected_version=d.get("version"))


def _finish_part(user: User, case: Case, d: Data) -> None:
    dispatch_actions.finish_helper_part(
        actor=user, case=case, note=d["note"], expected_version=d.get("version")
    )


def _return(user: User, case: Case, d: Data) -> None:
    dispatch_actions.return_case(actor=user, case=case, reason=d["reason"], expected_version=d.get("version"))


def _resolve(user: User, case: Case, d: Data) -> None:
    dispatch_actions.resolve_case(
        actor=user, case=case, result=d["result"], photos=d["photos"], expected_version=d.get("version")
    )


def _request_extension(user: User, case: Case, d: Data) -> None:
    dispatch_actions.request_time(
        actor=user,
        case=case,
        kind=TimeRequest.KIND_EXTENSION,
        days=d["days"],
        reason=d["reason"],
        expected_version=d.get("version"),
    )


def _request_suspension(user: User, case: Case, d: Data) -> None:
    dispatch_actions.request_time(
        actor=user,
        case=case,
        kind=TimeRequest.KIND_SUSPENSION,
        reason=d["reason"],
        expected_version=d.get("version"),
    )


def _decide(user: User, case: Case, d: Data) -> None:
    request = _time_request(case, d["request"])
    dispatch_actions.decide_time_request(
        actor=user, request=request, approve=d["approve"], note=d["note"], expected_version=d.get("version")
    )


def _resume(user: User, case: Case, d: Data) -> None:
    dispatch_actions.resume_case(actor=user, case=case, note=d["note"], expected_version=d.get("version"))


def _verify(user: User, case: Case, d: Data) -> None:
    actions.verify_case(actor=user, case=case, ok=d["ok"], note=d["note"], expected_version=d.get("version"))


def _rate(user: User, case: Case, d: Data) -> None:
    actions.rate_case(
        actor=user,
        case=case,
        satisfaction=d["satisfaction"],
        comment=d["comment"],
        by_visit=d["by_visit"],
        expected_version=d.get("version"),
    )


def _close(user: User, case: Case, d: Data) -> None:
    actions.close_case(actor=user, case=case, note=d["note"], expected_version=d.get("version"))


def _supervise(user: User, case: Case, d: Data) -> None:
    actions.supervise_case(
        actor=user,
        case=case,
        instruction=d["instruction"],
        deadline=d["deadline"],
        expected_version=d.get("version"),
    )


def _urge(user: User, case: Case, d: Data) -> None:
    actions.urge_case(actor=user, case=case, note=d["note"], expected_version=d.get("version"))


def _comment(user: User, case: Case, d: Data) -> None:
    actions.comment_case(
        actor=user, case=case, text=d["text"], public=d["public"], expected_version=d.get("version")
    )


@dataclass(frozen=True)
class VerbSpec:
    input: type[s.VerbSerializer]
    perform: Callable[[User, Case, Data], None]
    summary: str


VERBS: dict[str, VerbSpec] = {
    "accept": VerbSpec(s.AcceptSerializer, _accept, "Accept (受理/立案) with the category"),
    "reject": VerbSpec(s.ReasonSerializer, _reject, "Reject (不予受理) with the reason"),
    "merge": VerbSpec(s.MergeSerializer, _merge, "Merge into a master case (重复件)"),
    "resolve-in-grid": VerbSpec(s.ResultSerializer, _resolve_in_grid, "Resolve in the grid (格内化解)"),
    "escalate": VerbSpec(s.ReasonSerializer, _escalate, "Escalate to the parent command center (上报)"),
    "dispatch": VerbSpec(s.DispatchSerializer, _dispatch, "Dispatch to a lead department and helpers (派遣)"),
    "reassign": VerbSpec(s.ReassignSerializer, _reassign, "Reassign to other departments (改派)"),
    "coordinate": VerbSpec(
        s.CoordinateSerializer, _coordinate, "Coordinate: a lead and helpers with a joint deadline (联动指挥)"
    ),
    "sign": VerbSpec(s.EmptySerializer, _sign, "Sign for the assignment (签收)"),
    "finish-part": VerbSpec(
        s.PartSerializer, _finish_part, "A helper department reports its part done (协办完成)"
    ),
    "return": VerbSpec(s.ReasonSerializer, _return, "Return: not this department's (退回)"),
    "resolve": VerbSpec(s.ResultSerializer, _resolve, "Resolve with the result and photos (办结)"),
    "request-extension": VerbSpec(s.ExtensionSerializer, _request_extension, "Request an extension (延期)"),
    "request-suspension": VerbSpec(s.ReasonSerializer, _request_suspension, "Request a suspension (挂账)"),
    "decide-request": VerbSpec(s.DecideSerializer, _decide, "Approve or deny an extension or suspension"),
    "resume": VerbSpec(s.NoteSerializer, _resume, "Resume a suspended case"),
    "verify": VerbSpec(s.VerifySerializer, _verify, "Verify the result (核查); not ok sends it back"),
    "rate": VerbSpec(s.RateSerializer, _rate, "Rate the result (回访); dissatisfied reopens it"),
    "close": VerbSpec(s.NoteSerializer, _close, "Close without a rating (结案)"),
    "supervise": VerbSpec(s.SuperviseSerializer, _supervise, "Supervision order with a deadline (督办)"),
    "urge": VerbSpec(s.NoteSerializer, _urge, "Remind whoever holds the case (催办)"),
    "comment": VerbSpec(s.CommentSerializer, _comment, "Comment on the timeline"),
}


class CaseVerbView(APIView):
    """``POST /api/v1/cases/{number}/{verb}/``: parse, call the action, answer with the updated detail."""

    verb = ""

    def post(self, request: Request, number: str) -> Response:
        spec = VERBS[self.verb]
        case = _visible_case(request, number)
        form = spec.input(data=request.data)
        form.is_valid(raise_exception=True)
        spec.perform(_user(request), case, dict(form.validated_data))
        return Response(_detail(_user(request), case.pk))


def verb_view(verb: str) -> type[CaseVerbView]:
    """The view class of one verb, with its own request schema in the OpenAPI document."""
    spec = VERBS[verb]
    view = type(f"Case{verb.title().replace('-', '')}View", (CaseVerbView,), {"verb": verb})
    decorated: type[CaseVerbView] = extend_schema_view(
        post=extend_schema(
            request=spec.input,
            responses={200: s.CaseDetailSerializer, **ERRORS},
            summary=spec.summary,
            operation_id=f"cases_{verb.replace('-', '_')}",
        )
    )(view)
    return decorated
