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
from gridgov.cases.choices import CaseStatus, ExtensionStatus, RequestType
from gridgov.cases.filters import CaseFilter
from gridgov.cases.models import Case, Category, TimeRequest
from gridgov.cases.selectors import visible_cases
from gridgov.cases.workflow import Transition, available, is_open
from gridgov.core.scope import Scope
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus
from gridgov.dispatch.models import Assignment
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

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
# Mirrors the checks of the actions (permission, holder, own assignment, status) so that a listed verb never
# answers 403; a test walks every verb against the actions to keep the two in step.

#: (user, case, the case's permission scope, computed once) → may the user do the verb?
Check = Callable[[User, Case, Scope], bool]


@dataclass(frozen=True)
class VerbRule:
    transitions: (
        frozenset[Transition] | None
    )  # the verb needs one of these to be possible; None: no status move
    allowed: Check


def _holds(verb: Verb) -> Check:
    """``timeline.require_holder``: the verb on the case *and* on the area that holds it."""
    return lambda user, case, scope: can(user, verb, case.owner_area) and can(user, verb, scope)


def _may(verb: Verb) -> Check:
    return lambda user, case, scope: can(user, verb, scope)


def _open_and(check: Check) -> Check:
    return lambda user, case, scope: is_open(case.status) and check(user, case, scope)


def _own_assignment(user: User, case: Case, statuses: tuple[str, ...]) -> Assignment | None:
    """The user's department's assignment among ``statuses``, in the order ``dispatch.actions`` looks."""
    for assignment in case.assignments.all():
        if assignment.status in statuses and can(
            user,
            Verb.HANDLE_CASE,
            Scope(area_path=case.area_path, department_ids=frozenset({assignment.department_id})),
        ):
            return assignment
    return None


def _can_sign(user: User, case: Case, scope: Scope) -> bool:
    assignment = _own_assignment(user, case, (AssignmentStatus.PENDING,))
    if assignment is None or not can(user, Verb.HANDLE_CASE, scope):
        return False
    if assignment.role == AssignmentRole.LEAD:
        return Transition.SIGN in available(case.status)
    return is_open(case.status)


def _lead_assignment(statuses: tuple[str, ...]) -> Check:
    def check(user: User, case: Case, scope: Scope) -> bool:
        assignment = _own_assignment(user, case, statuses)
        return (
            assignment is not None
            and assignment.role == AssignmentRole.LEAD
            and can(user, Verb.HANDLE_CASE, scope)
        )

    return check


def _can_request_time(user: User, case: Case, scope: Scope) -> bool:
    return (
        case.status in (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS)
        and can(user, Verb.HANDLE_CASE, scope)
        and _own_assignment(user, case, (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)) is not None
        and not any(r.status == ExtensionStatus.PENDING for r in case.time_requests.all())
    )


def _can_decide(user: User, case: Case, scope: Scope) -> bool:
    return can(user, Verb.APPROVE_CASE, scope) and any(
        r.status == ExtensionStatus.PENDING for r in case.time_requests.all()
    )


def _has_center_above(area: Area) -> bool:
    node = area.parent
    while node is not None:
        if node.level in (AreaLevel.TOWN, AreaLevel.DISTRICT):
            return True
        node = node.parent
    return False


def _can_escalate(user: User, case: Case, scope: Scope) -> bool:
    return _holds(Verb.ESCALATE_CASE)(user, case, scope) and _has_center_above(case.owner_area)


def _can_resolve_in_grid(user: User, case: Case, scope: Scope) -> bool:
    return case.grid_id is not None and can(user, Verb.RESOLVE_IN_GRID, scope)


def _can_resume(user: User, case: Case, scope: Scope) -> bool:
    return can(user, Verb.APPROVE_CASE, scope) or can(user, Verb.HANDLE_CASE, scope)


T = Transition
RULES: dict[str, VerbRule] = {
    "accept": VerbRule(frozenset({T.ACCEPT}), _holds(Verb.ACCEPT_CASE)),
    "reject": VerbRule(frozenset({T.REJECT}), _holds(Verb.ACCEPT_CASE)),
    "merge": VerbRule(frozenset({T.MERGE}), _holds(Verb.ACCEPT_CASE)),
    "resolve-in-grid": VerbRule(frozenset({T.RESOLVE_IN_GRID}), _can_resolve_in_grid),
    "escalate": VerbRule(frozenset({T.ESCALATE}), _can_escalate),
    "dispatch": VerbRule(frozenset({T.DISPATCH}), _holds(Verb.DISPATCH_CASE)),
    "reassign": VerbRule(frozenset({T.REASSIGN}), _holds(Verb.DISPATCH_CASE)),
    "sign": VerbRule(None, _can_sign),
    "return": VerbRule(frozenset({T.RETURN}), _lead_assignment((AssignmentStatus.PENDING,))),
    "resolve": VerbRule(frozenset({T.RESOLVE}), _lead_assignment((AssignmentStatus.SIGNED,))),
    "request-extension": VerbRule(None, _can_request_time),
    "request-suspension": VerbRule(None, _can_request_time),
    "decide-request": VerbRule(None, _can_decide),
    "resume": VerbRule(frozenset({T.RESUME}), _can_resume),
    "verify": VerbRule(frozenset({T.VERIFY_OK}), _may(Verb.VERIFY_CASE)),
    "rate": VerbRule(frozenset({T.RATE_SATISFIED}), _may(Verb.RATE_CASE)),
    "close": VerbRule(frozenset({T.CLOSE}), _holds(Verb.ACCEPT_CASE)),
    "supervise": VerbRule(None, _open_and(_may(Verb.SUPERVISE_CASE))),
    "urge": VerbRule(None, _open_and(_may(Verb.URGE_CASE))),
    "comment": VerbRule(None, _may(Verb.COMMENT_CASE)),
    "reveal": VerbRule(None, _may(Verb.VIEW_PERSONAL_DATA)),
}


def available_actions(user: User, case: Case) -> list[str]:
    """The API verbs ``user`` may perform on ``case`` now: ``workflow.available`` filtered by the same checks the
    actions make."""
    possible = set(available(case.status))
    scope = case.permission_scope()
    return [
        verb
        for verb, rule in RULES.items()
        if (rule.transitions is None or rule.transitions & possible) and rule.allowed(user, case, scope)
    ]


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
    "sign": VerbSpec(s.EmptySerializer, _sign, "Sign for the assignment (签收)"),
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
