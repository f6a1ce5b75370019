"""Pages of the cases app: the categories (public) and, for staff, the work queue, the case detail with the action
forms the user may perform, the supervision list, and the case photos.

The views are adapters: they check permission (``accounts.permissions`` and the selectors), call the actions and
render. What the actions say goes back to the user in the same place: a ``ValidationError`` next to the field,
``PermissionDenied`` as a 403 page, ``Conflict``/``InvalidTransition`` as a message over the freshly loaded case.
Every action form posts to ``act/<verb>/``; with HTMX the detail panel is swapped in place, without JavaScript
the browser posts and is redirected back (post/redirect/get).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, can, can_somewhere, scope_q
from gridgov.cases import actions
from gridgov.cases import forms as case_forms
from gridgov.cases.choices import AlertLevel, CaseStatus, Priority, RequestType
from gridgov.cases.models import Case, CasePhoto
from gridgov.cases.page_verbs import (
    PAGE_VERBS,
    PageVerb,
    allowed_verbs,
    is_staff_user,
    pending_request,
    permitted,
)
from gridgov.cases.selectors import Queue, active_categories, queue_counts, visible_cases, work_queue
from gridgov.cases.verbs import may
from gridgov.cases.workflow import TERMINAL
from gridgov.core.exceptions import Conflict
from gridgov.core.masking import mask_phone
from gridgov.dispatch.models import Department
from gridgov.dispatch.selectors import RouteSuggestion, departments_serving, suggest_route
from gridgov.triage.selectors import SuggestionView, suggestion_for

PAGE_SIZE = 20

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this case in the meantime. The page has been reloaded with its current state; "
    "check it and act again if still needed."
)

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


# --- Helpers -----------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # login_required has let only signed-in users through.
    return cast(User, request.user)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _require_staff(request: HttpRequest) -> User:
    user = _user(request)
    if not is_staff_user(user):
        raise PermissionDenied(
            _("These pages are for grid workers, command centers, departments and leaders.")
        )
    return user


def _get_case(request: HttpRequest, number: str) -> Case:
    """The case, if the user may see it; a case out of scope is "not found", never "forbidden"."""
    user = _require_staff(request)
    case = _cases().filter(number=number).first()
    if case is None or not can(user, Verb.VIEW_CASE, case):
        raise Http404
    return case


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related("category", "grid", "owner_area").prefetch_related("assignments")


def _reload(case: Case) -> Case:
    return _cases().get(pk=case.pk)


@dataclass(frozen=True)
class Notice:
    """A message shown at the top of the re-rendered panel (HTMX and re-rendered pages do not redirect)."""

    level: str
    text: str
    detail: str = ""


def _departments_for(case: Case) -> QuerySet[Department]:
    return departments_serving(case.grid or case.owner_area).order_by("area__path", "name")


def _make_form(
    page_verb: PageVerb,
    case: Case,
    *,
    data: Any = None,
    files: Any = None,
    initial: dict[str, Any] | None = None,
    row: bool = False,
) -> case_forms.CaseActionForm:
    kwargs: dict[str, Any] = {
        # ids unique on the page: several forms have a "note" or a "reason"
        "auto_id": f"id_{page_verb.name}_{case.pk}_%s" if row else f"id_{page_verb.name}_%s",
    }
    if page_verb.departments:
        kwargs["departments"] = _departments_for(case)
    if data is not None:
        return page_verb.form_class(data, files, **kwargs)
    return page_verb.form_class(initial={"version": case.version, **(initial or {})}, **kwargs)


@dataclass
class ActionPanel:
    verb: PageVerb
    form: case_forms.CaseActionForm
    open: bool = False
    suggestion: RouteSuggestion | None = None


def _action_panels(
    user: User, case: Case, bound: dict[str, case_forms.CaseActionForm], triage: SuggestionView | None = None
) -> list[ActionPanel]:
    panels = []
    for page_verb in allowed_verbs(user, case):
        initial: dict[str, Any] = {}
        suggestion = None
        if page_verb.name == "accept":
            # Triage's category is pre-selected when none was applied: the dispatcher confirms or corrects it.
            top = triage.top_category if triage is not None else None
            initial = {
                "category": case.category_id or (top.pk if top is not None else None),
                "request_type": case.request_type,
                "priority": case.priority,
            }
        elif page_verb.name == "merge" and triage is not None and triage.duplicate is not None:
            initial = {"master": triage.duplicate.number}
        elif page_verb.name == "dispatch" and case.category is not None:
            suggestion = suggest_route(case.category, case.grid or case.owner_area)
            if suggestion is not None:
                initial = {
                    "lead": suggestion.lead.pk,
                    "helpers": [helper.pk for helper in suggestion.helpers],
                }
        form = bound.get(page_verb.name) or _make_form(page_verb, case, initial=initial)
        panels.append(
            ActionPanel(
                page_verb,
                form,
                open=page_verb.name in bound,
                suggestion=suggestion if page_verb.name not in bound else None,
            )
        )
    if not bound:
        first = next((panel for panel in panels if panel.verb.primary), None)
        if first is not None:
            first.open = True
    return panels


def _mask_name(name: str) -> str:
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _grid_feature(case: Case) -> dict[str, Any] | None:
    if case.grid is None or not case.grid.boundary:
        return None
    return {
        "type": "Feature",
        "geometry": case.grid.boundary,
        "properties": {"name": case.grid.name, "code": case.grid.code},
    }


def _detail_context(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, case_forms.CaseActionForm] | None = None,
    notice: Notice | None = None,
    revealed: dict[str, str] | None = None,
) -> dict[str, Any]:
    user = _user(request)
    triage = suggestion_for(user, case)
    panels = _action_panels(user, case, bound or {}, triage)
    return {
        "case": case,
        "triage": triage,
        "notice": notice,
        "events": case.events.select_related("actor").order_by("at", "id"),
        "assignments": case.assignments.select_related("department").order_by("-created_at", "role", "id"),
        "photos": case.photos.all(),
        "can_view_originals": can(user, Verb.VIEW_PERSONAL_DATA, case),
        "can_reveal": can(user, Verb.VIEW_PERSONAL_DATA, case)
        and bool(case.reporter_phone or case.reporter_name),
        "masked_phone": mask_phone(case.reporter_phone),
        "masked_name": _mask_name(case.reporter_name),
        "revealed": revealed,
        "deadline": case.accept_by if case.status == CaseStatus.REPORTED else case.resolve_by,
        "pending_request": pending_request(case),
        "panels": panels,
        "can_merge": any(panel.verb.name == "merge" for panel in panels),
        "can_coordinate": may(user, "coordinate", case),
        "grid_feature": _grid_feature(case),
        "has_point": case.lat is not None and case.lon is not None,
    }


def _render_detail(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    bound: dict[str, case_forms.CaseActionForm] | None = None,
    notice: Notice | None = None,
    revealed: dict[str, str] | None = None,
) -> HttpResponse:
    context = _detail_context(request, case, bound=bound, notice=notice, revealed=revealed)
    if _is_htmx(request):
        # htmx swaps only 2xx answers: the conflict or error is in the panel itself.
        return render(request, "cases/_panel.html", context)
    return render(request, "cases/detail.html", context, status=status)


# --- Pages -------------------------------------------------------------------------------------------------------


@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/categories.html",
        {"categories": active_categories(), "request_types": RequestType.choices},
    )


QUEUE_TABS = [
    (Queue.TODO, pgettext_lazy("work queue tab", "To do")),
    (Queue.DONE, pgettext_lazy("work queue tab", "Done")),
    (Queue.DUE_SOON, pgettext_lazy("work queue tab", "Due soon")),
    (Queue.OVERDUE, pgettext_lazy("work queue tab", "Overdue")),
]


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The user's work queue (工作台): tabs to do / done / due soon / overdue, filter by status and text."""
    user = _require_staff(request)
    tab = request.GET.get("tab") or Queue.TODO
    if tab not in Queue.ALL:
        tab = Queue.TODO
    status = request.GET.get("status") or ""
    if status not in CaseStatus.values:
        status = ""
    text = (request.GET.get("q") or "").strip()[:100]
    cases = work_queue(user, tab)
    if status:
        cases = cases.filter(status=status)
    if text:
        cases = cases.filter(Q(number__icontains=text) | Q(title__icontains=text) | Q(text__icontains=text))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queue_counts(user)
    return render(
        request,
        "cases/queue.html",
        {
            "page": page,
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in QUEUE_TABS],
            "status": status,
            "statuses": CaseStatus.choices,
            "q": text,
            "filtered": bool(status or text),
            "show_supervision": can_somewhere(user, Verb.SUPERVISE_CASE)
            or can_somewhere(user, Verb.URGE_CASE),
        },
    )


@require_GET
@never_cache
@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The case with its facts, photos, map, assignments, timeline and the action forms the user may use."""
    case = _get_case(request, number)
    return _render_detail(request, case)


@require_POST
@never_cache
@login_required
def case_act(request: HttpRequest, number: str, verb: str) -> HttpResponse:
    """One action on a case, posted by the action forms of the detail page and the supervision list."""
    page_verb = PAGE_VERBS.get(verb)
    if page_verb is None:
        raise Http404
    case = _get_case(request, number)
    user = _user(request)
    if not permitted(user, page_verb, case):
        raise PermissionDenied(_("You are not allowed to do this here."))
    from_supervision = request.POST.get("next") == reverse("cases:supervision")
    form = _make_form(page_verb, case, data=request.POST, files=request.FILES, row=from_supervision)

    if page_verb.check_version:
        # The page was older than the case: say so before anything else (the actions check again under lock).
        try:
            posted = int(request.POST.get("version", ""))
        except ValueError:
            posted = None
        if posted is not None and posted != case.version:
            return _conflict(request, case, None, from_supervision)

    if form.is_valid():
        version = form.cleaned_data["version"] if page_verb.check_version else None
        try:
            page_verb.run(user, case, form.cleaned_data, version)
        except ValidationError as error:
            _attach_errors(form, error)
        except Conflict as error:  # InvalidTransition too
            return _conflict(request, case, error, from_supervision)
        else:
            return _done(request, case, page_verb, from_supervision)

    if from_supervision:
        return _render_supervision(request, bound={(case.pk, page_verb.name): form})
    return _render_detail(request, case, bound={page_verb.name: form})


def _attach_errors(form: case_forms.CaseActionForm, error: ValidationError) -> None:
    """Put the action's errors next to the fields they name (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            target = name if name in form.fields and name != "version" else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _done(request: HttpRequest, case: Case, page_verb: PageVerb, from_supervision: bool) -> HttpResponse:
    user = _user(request)
    message = str(page_verb.done)
    if from_supervision:
        messages.success(request, message)
        return redirect("cases:supervision")
    fresh = _reload(case)
    if not can(user, Verb.VIEW_CASE, fresh):
        # e.g. a department returned the case: it is no longer theirs to see.
        messages.success(request, message)
        url = reverse("cases:queue")
        if _is_htmx(request):
            return HttpResponse(status=200, headers={"HX-Redirect": url})
        return redirect(url)
    if _is_htmx(request):
        return _render_detail(request, fresh, notice=Notice("success", message))
    messages.success(request, message)
    return redirect("cases:detail", number=fresh.number)


def _conflict(
    request: HttpRequest, case: Case, error: Conflict | None, from_supervision: bool
) -> HttpResponse:
    detail = str(error.message) if error is not None else ""
    notice = Notice("error", str(CONFLICT_MESSAGE), "" if detail == str(CONFLICT_MESSAGE) else detail)
    if from_supervision:
        return _render_supervision(request, notice=notice, status=409)
    fresh = _reload(case)
    if not can(_user(request), Verb.VIEW_CASE, fresh):
        messages.error(request, str(CONFLICT_MESSAGE))
        return redirect("cases:queue")
    return _render_detail(request, fresh, notice=notice, status=409)


@require_POST
@never_cache
@login_required
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """Show the reporter's name and phone once; the action records the view on the timeline."""
    case = _get_case(request, number)
    revealed = actions.reveal_personal_data(actor=_user(request), case=case)
    if _is_htmx(request):
        context = _detail_context(request, _reload(case), revealed=revealed)
        return render(request, "cases/_reporter.html", context)
    return _render_detail(request, _reload(case), revealed=revealed)


# --- Supervision -------------------------------------------------------------------------------------------------


@require_GET
@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """督办: the open cases in the user's area that are overdue, due soon or urgent, with a form per case."""
    return _render_supervision(request)


def _render_supervision(
    request: HttpRequest,
    *,
    bound: dict[tuple[int, str], case_forms.CaseActionForm] | None = None,
    notice: Notice | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _require_staff(request)
    if not (can_somewhere(user, Verb.SUPERVISE_CASE) or can_somewhere(user, Verb.URGE_CASE)):
        raise PermissionDenied(_("The supervision list is for leaders and command centers."))
    bound = bound or {}
    in_area = scope_q(user, Verb.SUPERVISE_CASE, area_path_field="area_path") | scope_q(
        user, Verb.URGE_CASE, area_path_field="area_path"
    )
    cases = (
        visible_cases(user)
        .filter(in_area)
        .exclude(status__in=TERMINAL)
        .filter(Q(alert_level__in=[AlertLevel.RED, AlertLevel.YELLOW]) | Q(priority=Priority.URGENT))
        .annotate(
            rank=models.Case(
                models.When(alert_level=AlertLevel.RED, then=0),
                models.When(alert_level=AlertLevel.YELLOW, then=1),
                default=2,
            )
        )
        .order_by("rank", "resolve_by", "-reported_at")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page:
        row_forms = []
        for name in ("supervise", "urge"):
            page_verb = PAGE_VERBS[name]
            if permitted(user, page_verb, case):
                row_forms.append(
                    ActionPanel(
                        page_verb,
                        bound.get((case.pk, name)) or _make_form(page_verb, case, row=True),
                        open=(case.pk, name) in bound,
                    )
                )
        rows.append((case, row_forms))
    return render(
        request,
        "cases/supervision.html",
        {"page": page, "rows": rows, "notice": notice},
        status=status,
    )


# --- Photos ------------------------------------------------------------------------------------------------------


def _file_response(file: FieldFile, *, private: bool) -> FileResponse:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as error:
        raise Http404 from error
    content_type = mimetypes.guess_type(file.name or "")[0] or ""
    response = FileResponse(
        handle, content_type=content_type if content_type in PHOTO_TYPES else "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store" if private else "private, max-age=3600"
    return response


@require_GET
@login_required
def photo_public(request: HttpRequest, number: str, photo_id: int) -> FileResponse:
    """The metadata-free copy of a photo, for anyone who may see the case."""
    case = _get_case(request, number)
    photo = get_object_or_404(CasePhoto, pk=photo_id, case=case)
    return _file_response(photo.public, private=False)


@require_GET
@login_required
def photo_original(request: HttpRequest, number: str, photo_id: int) -> FileResponse:
    """The original with its EXIF (time, GPS): only for those who may see the case's personal data."""
    case = _get_case(request, number)
    if not can(_user(request), Verb.VIEW_PERSONAL_DATA, case):
        raise Http404
    photo = get_object_or_404(CasePhoto, pk=photo_id, case=case)
    actions.view_original_photo(actor=_user(request), photo=photo)  # personal data (GPS): the view is logged
    return _file_response(photo.original, private=True)
