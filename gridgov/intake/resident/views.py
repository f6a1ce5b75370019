"""The resident pages (H5, no login): report a problem, see whether it was already reported, follow and rate it.

* ``/r/`` the report form. It works without JavaScript (the text and the address decide the place); with it,
  a map lets the resident drop a pin or use the phone's position, and open cases nearby are offered while they
  type ("已有人反映?"). The report goes through ``intake.actions.submit_report`` (channel web, source h5); the
  form carries a one-time nonce used as the external id, so a double tap or a retry on a weak connection
  returns the case already created instead of a second one.
* ``/r/done/<secret>/`` after a report: the case number and the tracking link to bookmark.
* ``/r/t/<secret>/`` the reporter's tracking page: status in plain words, the public timeline, public photo
  copies, the result, and the rating form once the result is verified. Only the tracking secret opens it.
* ``/r/f/<token>/`` the read-only page of a case a neighbour follows ("关注此事"): status, timeline, how many
  reports it stands for; no photos, no rating. The signed token is handed out only by the nearby endpoint.
* ``/r/find/`` the case number plus the last four digits of the phone given with it → the tracking page.

Rate limits (``limits.py``) answer 429 with the form shown again, filled in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.accounts.permissions import roles_of
from gridgov.cases.choices import CaseStatus, Channel, Satisfaction
from gridgov.cases.models import Case, CaseEvent, CasePhoto, Category
from gridgov.core.exceptions import InvalidTransition
from gridgov.core.masking import mask_address, mask_personal_text
from gridgov.intake.actions import Intake, submit_report
from gridgov.intake.models import Submission
from gridgov.intake.resident import selectors
from gridgov.intake.resident.actions import rate_by_secret
from gridgov.intake.resident.forms import (
    FindForm,
    RatingForm,
    ReportForm,
    max_photos,
    new_nonce,
    normalise_phone,
    valid_nonce,
)
from gridgov.intake.resident.limits import client_ip, find_limited, report_limited

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)

#: The status in the words a resident uses.
STATUS_WORDS: dict[str, object] = {
    CaseStatus.REPORTED: _("Received: the command center will look at it soon."),
    CaseStatus.ACCEPTED: _("Accepted: the case is registered and will be handled."),
    CaseStatus.DISPATCHED: _("Passed on to the department responsible."),
    CaseStatus.IN_PROGRESS: _("Being handled."),
    CaseStatus.SUSPENDED: _("On hold for now: the work waits on something outside the department's hands."),
    CaseStatus.RESOLVED: _("Reported as done: the result is being checked."),
    CaseStatus.VERIFIED: _("Done and checked. Please tell us whether you are satisfied."),
    CaseStatus.REOPENED: _("Reopened: it will be handled again."),
    CaseStatus.CLOSED: _("Closed."),
    CaseStatus.REJECTED: _("Not taken up (the reason is below)."),
    CaseStatus.MERGED: _("Merged with an earlier report of the same problem."),
}
#: Statuses in which the case has a result to show.
WITH_RESULT = (CaseStatus.RESOLVED, CaseStatus.VERIFIED, CaseStatus.CLOSED)
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}

LIMITED_MESSAGE = _(
    "Too many reports have been sent from this connection or with this phone number in a short time. Nothing "
    "you entered is lost: please wait a while and send it again."
)
FIND_LIMITED_MESSAGE = _("Too many attempts. Please wait a while and try again.")


def _private(view: Callable[P, R]) -> Callable[P, R]:
    """Pages whose URL is a secret: never cached, never sent to another site as a referrer, never indexed.

    ("no-referrer" would be stricter, but browsers then send ``Origin: null`` with the rating form's POST, which
    Django's CSRF check rightly refuses.)
    """

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        response = view(*args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _resident_actor(request: HttpRequest) -> User | None:
    """A signed-in resident reports as themselves; everyone else (staff included) reports anonymously here."""
    user = request.user
    if user.is_authenticated and Role.RESIDENT in roles_of(user):
        return user
    return None


def _status_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def _absolute(request: HttpRequest, path: str) -> str:
    site = str(settings.GRIDGOV.get("SITE_URL") or "").rstrip("/")
    return f"{site}{path}" if site else request.build_absolute_uri(path)


# --- The report ------------------------------------------------------------------------------------------------

_KEPT_FIELDS = ("text", "address", "lat", "lon", "name", "phone", "category", "nonce")


def _render_report(
    request: HttpRequest,
    form: ReportForm,
    *,
    status: int = 200,
    limited: bool = False,
    photos_lost: bool = False,
) -> HttpResponse:
    return render(
        request,
        "intake/resident/report.html",
        {
            "form": form,
            "limited_message": LIMITED_MESSAGE if limited else "",
            "photos_lost": photos_lost,
            "grids_url": reverse("api-v1:geo-map") + "?level=grid",
            "nearby_url": reverse("resident:nearby"),
            "max_photos": max_photos(),
        },
        status=status,
    )


def _attempt_id(request: HttpRequest, nonce: str) -> str:
    """The external id that makes a report attempt idempotent: the form's nonce bound to this browser.

    Bound to the browser's CSRF secret, so that someone who learnt another resident's nonce gets a case of
    their own rather than the other resident's tracking link.
    """
    if not nonce:
        return ""
    get_token(request)  # makes sure the browser has a CSRF secret
    browser = str(request.META.get("CSRF_COOKIE") or "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{nonce}:{browser}".encode()).hexdigest()
    return f"h5-{digest[:40]}"


def _intake(request: HttpRequest, data: dict[str, Any]) -> Intake:
    return Intake(
        channel=Channel.WEB,
        source="h5",
        sender=client_ip(request),
        external_id=_attempt_id(request, data["nonce"]),
        text=data["text"],
        category=data["category"],
        lat=data["lat"],
        lon=data["lon"],
        coord_system="wgs84",  # browsers' geolocation and our own boundaries are WGS-84
        address=data["address"].strip(),
        reporter_name=data["name"].strip(),
        reporter_phone=data["phone"],
        photos=data["photos"],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_report(request, ReportForm(initial={"nonce": new_nonce()}))
    photos_sent = any(upload for upload in request.FILES.getlist("photos"))
    data = request.POST.copy()
    if not valid_nonce(data.get("nonce", "")):
        data["nonce"] = new_nonce()  # the form comes back with one, so the next attempt is idempotent too
    if report_limited(request, normalise_phone(data.get("phone", ""))):
        kept = ReportForm(initial={name: data.get(name, "") for name in _KEPT_FIELDS})
        return _render_report(request, kept, status=429, limited=True, photos_lost=photos_sent)
    form = ReportForm(data, request.FILES)
    if form.is_valid():
        try:
            submitted = submit_report(
                actor=_resident_actor(request), intake=_intake(request, form.cleaned_data)
            )
        except ValidationError as error:
            form.add_action_errors(error)
        else:
            return redirect("resident:done", secret=submitted.submission.tracking_secret)
    return _render_report(request, form, status=400, photos_lost=photos_sent)


@require_GET
def nearby(request: HttpRequest) -> JsonResponse:
    """Open cases near the pin that look like the same problem, for "已有人反映?" (no personal data)."""
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
    except (KeyError, ValueError):
        return _no_store(JsonResponse({"category": None, "results": [], "missing": "location"}))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return _no_store(JsonResponse({"category": None, "results": [], "missing": "location"}))
    chosen = request.GET.get("category", "")
    category = (
        Category.objects.filter(pk=int(chosen), is_active=True).values_list("code", flat=True).first()
        if chosen.isdigit() and len(chosen) <= 9
        else None
    )
    if category is None:
        category = selectors.predict_category(request.GET.get("text", "")[:2000])
    if category is None:
        return _no_store(JsonResponse({"category": None, "results": [], "missing": "text"}))
    found = selectors.nearby_open_cases(lat=lat, lon=lon, category=category, now=timezone.now())
    results = [
        {
            "title": selectors.public_title(item.case),
            "status": item.case.status,
            "status_label": _status_words(item.case.status),
            "reported_on": timezone.localdate(item.case.reported_at).isoformat(),
            "distance_m": round(item.distance_m),
            "reports": item.reports,
            "follow_url": reverse("resident:follow", args=[selectors.follow_token(item.case)]),
        }
        for item in found
    ]
    return _no_store(JsonResponse({"category": category, "results": results}))


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- After the report: done, tracking, rating -----------------------------------------------------------------


def _submission(secret: str) -> Submission:
    submission = selectors.submission_for_secret(secret)
    if submission is None:
        raise Http404
    return submission


@_private
@require_GET
def done(request: HttpRequest, secret: str) -> HttpResponse:
    submission = _submission(secret)
    path = reverse("resident:track", args=[submission.tracking_secret])
    return render(
        request,
        "intake/resident/done.html",
        {"case": submission.case, "track_path": path, "track_url": _absolute(request, path)},
    )


def _last_rating(case: Case) -> CaseEvent | None:
    return (
        CaseEvent.objects.filter(case=case, verb__in=["rate_satisfied", "rate_dissatisfied"])
        .order_by("-at", "-id")
        .only("at", "verb", "data")
        .first()
    )


def _render_track(
    request: HttpRequest,
    submission: Submission,
    *,
    rating_form: RatingForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    case = submission.case
    report_photos, result_photos = selectors.public_photos(case)
    path = reverse("resident:track", args=[submission.tracking_secret])
    last_rating = _last_rating(case)
    context = {
        "case": case,
        "secret": submission.tracking_secret,
        "track_url": _absolute(request, path),
        "title": selectors.public_title(case),
        "description": mask_personal_text(case.text),
        "address": mask_address(case.address),
        "status_words": _status_words(case.status),
        "timeline": selectors.public_timeline(case, for_reporter=True),
        "report_photos": report_photos,
        "result_photos": result_photos,
        "result": case.resolution if case.status in WITH_RESULT else "",
        "can_rate": case.status == CaseStatus.VERIFIED,
        "rating_form": rating_form or RatingForm(),
        "last_rating": last_rating,
        "last_rating_label": _rating_label(last_rating),
        "reports": selectors.report_count(case),
        "master_url": (
            reverse("resident:follow", args=[selectors.follow_token(case.merged_into)])
            if case.merged_into is not None
            else ""
        ),
        "notice": notice,
    }
    return render(request, "intake/resident/track.html", context, status=status)


def _rating_label(event: CaseEvent | None) -> str:
    if event is None:
        return ""
    value = event.data.get("satisfaction") if isinstance(event.data, dict) else None
    return str(dict(Satisfaction.choices).get(str(value), "")) if value else ""


@_private
@require_GET
def track(request: HttpRequest, secret: str) -> HttpResponse:
    return _render_track(request, _submission(secret))


@_private
@require_POST
def rate(request: HttpRequest, secret: str) -> HttpResponse:
    submission = _submission(secret)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_track(request, submission, rating_form=form, status=400)
    try:
        rate_by_secret(
            actor=request.user if request.user.is_authenticated else None,
            submission=submission,
            secret=secret,
            satisfaction=form.cleaned_data["satisfaction"],
            comment=form.cleaned_data["comment"],
        )
    except (InvalidTransition, PermissionDenied):
        submission.case.refresh_from_db()
        return _render_track(
            request,
            submission,
            notice=str(_("This case cannot be rated now: it has already been rated or is not finished yet.")),
            status=409,
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error("satisfaction", message)
        return _render_track(request, submission, rating_form=form, status=400)
    return redirect(reverse("resident:track", args=[secret]) + "#rating")


@_private
@require_GET
def photo(request: HttpRequest, secret: str, photo_id: int) -> FileResponse:
    """The metadata-free public copy of one of the case's photos (the original is never served here)."""
    submission = _submission(secret)
    item = get_object_or_404(CasePhoto, pk=photo_id, case=submission.case)
    return _public_file(item.public)


def _public_file(file: FieldFile) -> FileResponse:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as error:
        raise Http404 from error
    name = (file.name or "").lower()
    content_type = next((kind for kind, suffix in PHOTO_TYPES.items() if name.endswith(suffix)), "")
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Following a neighbour's case, finding one's own ----------------------------------------------------------


@require_GET
def follow(request: HttpRequest, token: str) -> HttpResponse:
    case = selectors.case_for_follow_token(token)
    if case is None:
        raise Http404
    if case.merged_into is not None:
        return redirect("resident:follow", token=selectors.follow_token(case.merged_into))
    response = render(
        request,
        "intake/resident/follow.html",
        {
            "case": case,
            "title": selectors.public_title(case),
            "status_words": _status_words(case.status),
            "timeline": selectors.public_timeline(case, for_reporter=False),
            "reports": selectors.report_count(case),
            "result": mask_personal_text(case.resolution) if case.status in WITH_RESULT else "",
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@_private
@never_cache
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "intake/resident/find.html", {"form": FindForm()})
    if find_limited(request, request.POST.get("number", "").strip()):
        kept = FindForm(initial={"number": request.POST.get("number", "")})
        return render(
            request,
            "intake/resident/find.html",
            {"form": kept, "limited_message": FIND_LIMITED_MESSAGE},
            status=429,
        )
    form = FindForm(request.POST)
    if form.is_valid():
        submission = selectors.submission_for_number(
            form.cleaned_data["number"], form.cleaned_data["phone_last4"]
        )
        if submission is not None:
            return redirect("resident:track", secret=submission.tracking_secret)
        form.add_error(
            None,
            _(
                "No case matches this number and phone. Check the number; a case reported without a phone "
                "number cannot be found this way."
            ),
        )
    return render(request, "intake/resident/find.html", {"form": form}, status=400)
