"""The staff page that imports work-order files, in two steps: upload → mapping (with a preview of the first
rows) → import, then the result with the bad rows to download, fix and upload again.

The views are adapters: ``service.import_reports`` checks the permission again and does every write. The file
waits between the steps in ``storage`` (outside the media folder, readable only by the uploader).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.accounts.models import User
from gridgov.geo.models import Area
from gridgov.intake.imports import storage
from gridgov.intake.imports.errors_file import error_csv, error_xlsx
from gridgov.intake.imports.forms import MappingForm, UploadForm
from gridgov.intake.imports.mapping import FIELDS, FIELDS_BY_NAME, MappingError, guess_mapping
from gridgov.intake.imports.reader import (
    FileUnreadable,
    Header,
    is_blank,
    locate_header,
    max_upload_bytes,
    read_sheet,
)
from gridgov.intake.imports.service import ImportReport, import_areas_for, import_reports, prepare, preview

#: Problems listed on the result page (all of them are in the download).
SHOWN_PROBLEMS = 200
#: Default of ``GRIDGOV["IMPORT_PAGE_MAX_ROWS"]``.
DEFAULT_PAGE_MAX_ROWS = 2000


def _importer(request: HttpRequest) -> tuple[User, list[Area]]:
    user = cast(User, request.user)
    areas = import_areas_for(user)
    if not areas:
        raise PermissionDenied(_("Only the staff of a command center may import work orders."))
    return user, areas


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the file."""
    user, _areas = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        limit = max_upload_bytes()
        if file.size is not None and file.size > limit:
            form.add_error(
                "file", _("The file is larger than %(size)s MB.") % {"size": f"{limit / 1048576:g}"}
            )
        else:
            data = file.read(limit + 1)
            problem = _upload_problem(data, file.name or "")
            if problem:
                form.add_error("file", problem)
            else:
                saved = storage.save_upload(user_id=user.pk, name=file.name or "", data=data)
                return redirect("imports:mapping", token=saved.token)
    return render(
        request,
        "intake/import_upload.html",
        {"form": form, "max_mb": f"{max_upload_bytes() / 1048576:g}", "fields": FIELDS},
    )


def page_max_rows() -> int:
    """Work orders the page imports at once (each is triaged and filed while the browser waits); larger files
    go through the ``import_reports`` command."""
    return int(settings.GRIDGOV.get("IMPORT_PAGE_MAX_ROWS", DEFAULT_PAGE_MAX_ROWS))


def _upload_problem(data: bytes, name: str) -> str:
    """Why the page cannot take this file, or ""."""
    try:
        sheet = read_sheet(data, name=name)
        header = locate_header(sheet)
        if not any(header.cells):
            return _("The file has no header row.")
        count = sum(1 for number, cells in sheet.rows() if number > header.row and not is_blank(cells))
    except FileUnreadable as error:
        return error.message
    if count > page_max_rows():
        return _(
            "The file holds %(count)d rows; this page imports at most %(max)d at a time. Split the file, or ask "
            "an administrator to run the import_reports command."
        ) % {"count": count, "max": page_max_rows()}
    return ""


def _header(data: bytes, name: str) -> Header:
    return locate_header(read_sheet(data, name=name))


def _upload_or_404(token: str, user: User) -> storage.Upload:
    saved = storage.get_upload(token, user.pk)
    if saved is None:
        raise Http404
    return saved


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: map the columns, see the first rows as they will be read; check the whole file or import it."""
    user, areas = _importer(request)
    saved = _upload_or_404(token, user)
    data = saved.read()
    try:
        header = _header(data, saved.name)
    except FileUnreadable as error:  # pragma: no cover - it was readable at upload
        raise Http404 from error
    guessed = guess_mapping(header.cells)
    form = MappingForm(request.POST or None, headers=header.cells, areas=areas, mapping=guessed)
    context: dict[str, Any] = {
        "form": form,
        "upload": saved,
        "header_row": header.row,
        "mapping_problems": [],
        "preview_rows": [],
        "preview_fields": [],
        "report": None,
    }
    action = request.POST.get("action", "preview")
    chosen = guessed
    options: dict[str, Any] = {"area": areas[0], "source": "", "channel": "import", "coord_system": "wgs84"}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "intake/import_mapping.html", context, status=400)
        chosen = form.chosen_mapping()
        options = {
            "area": form.chosen_area(),
            "source": form.cleaned_data["source"],
            "channel": form.cleaned_data["channel"],
            "coord_system": form.cleaned_data["coord_system"],
        }
    context["uses_history"] = bool({"status", "resolved_at"} & set(chosen))
    try:
        prepared = prepare(file=data, filename=saved.name, mapping=chosen)
    except MappingError as error:
        context["mapping_problems"] = error.problems
        return render(
            request, "intake/import_mapping.html", context, status=400 if request.method == "POST" else 200
        )

    if request.method == "POST" and action in ("check", "import"):
        try:
            report = import_reports(
                actor=user,
                file=data,
                filename=saved.name,
                mapping=chosen,
                dry_run=action == "check",
                **options,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            return render(request, "intake/import_mapping.html", context, status=400)
        if action == "import":
            storage.finish(saved.token, report)
            return redirect("imports:result", token=saved.token)
        context["report"] = report
        context["shown_problems"] = report.problems[:SHOWN_PROBLEMS]

    fields = [name for name in FIELDS_BY_NAME if name in prepared.columns]
    context["preview_fields"] = [(name, prepared.header.cells[prepared.columns[name]]) for name in fields]
    context["preview_rows"] = [
        {"row": number, "values": [values.get(name, "") for name in fields], "problems": problems}
        for number, values, problems in preview(
            prepared=prepared,
            area=options["area"],
            source=options["source"],
            channel=options["channel"],
            coord_system=options["coord_system"],
        )
    ]
    return render(request, "intake/import_mapping.html", context)


def _report_or_404(token: str, user: User) -> ImportReport:
    report = storage.get_report(token, user.pk)
    if report is None:
        raise Http404
    return report


@never_cache
@login_required
@require_GET
def result(request: HttpRequest, token: str) -> HttpResponse:
    """Step 3: what the import did."""
    user, _areas = _importer(request)
    report = _report_or_404(token, user)
    return render(
        request,
        "intake/import_result.html",
        {
            "report": report,
            "token": token,
            "shown_problems": report.problems[:SHOWN_PROBLEMS],
            "cases": report.cases[:50],
        },
    )


@never_cache
@login_required
@require_GET
def errors_download(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """The bad rows with their reasons, as CSV or XLSX, to fix and upload again."""
    user, _areas = _importer(request)
    report = _report_or_404(token, user)
    if kind == "xlsx":
        content = error_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = error_csv(report)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="import-errors.{kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
