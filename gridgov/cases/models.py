"""Cases (事件): the taxonomy, the case itself, its append-only timeline, photos and time requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import (
    EVENT_LABELS,
    AlertLevel,
    CaseStatus,
    Channel,
    ExtensionStatus,
    OwnerLevel,
    Priority,
    RequestType,
    Satisfaction,
)
from gridgov.core.bilingual import in_active_language
from gridgov.core.models import TimelineEvent, TimeStampedModel
from gridgov.core.scope import Scope


class Category(TimeStampedModel):
    """A kind of problem (道路交通, 河道水务, 矛盾纠纷…) with its scope, default department and SLA.

    The scope texts say what belongs in the category and what goes elsewhere; dispatchers and residents see them
    as the description, and the triage engine is trained on the same boundaries. A town edits all of it as data.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    scope_in = models.TextField(_("what belongs here"), blank=True)
    scope_out = models.TextField(_("what does not (and where it goes)"), blank=True)
    scope_in_en = models.TextField(_("what belongs here (English)"), blank=True)
    scope_out_en = models.TextField(_("what does not (English)"), blank=True)
    default_department = models.CharField(_("default department"), max_length=128, blank=True)
    sla_working_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (the Chinese name is the reference)."""
        return in_active_language(self.name, self.name_en)

    @property
    def description(self) -> str:
        """The scope text shown to dispatchers and residents, in the active language."""
        scope_in = in_active_language(self.scope_in, self.scope_in_en)
        scope_out = in_active_language(self.scope_out, self.scope_out_en)
        if scope_out:
            return f"{scope_in}\n{_('Not here')}: {scope_out}"
        return scope_in


class CaseNumberCounter(models.Model):
    """The last case number handed out per prefix and day (SG-20260514-0007), taken under a row lock."""

    prefix = models.CharField(max_length=16)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="case_number_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.last}"


class Case(TimeStampedModel):
    """One problem (事件), reported once or many times, from the report to the closed case.

    Status changes only through ``cases.actions``, each of which checks ``workflow.TRANSITIONS``, takes a row lock,
    bumps ``version`` and appends a ``CaseEvent``. ``area_path`` is the path of the grid (or the most precise area
    known), so "cases in my area" is one prefix query; ``owner_area`` is the grid or command center that holds the
    case when no department does. The reporter's phone and address are personal data: shown masked unless the
    viewer's role needs them, and every unmasked view is an event.
    """

    number = models.CharField(_("case number"), max_length=32, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    request_type = models.CharField(
        _("request type"), max_length=16, choices=RequestType.choices, default=RequestType.OTHER
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("grid"),
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True)
    owner_level = models.CharField(_("held at"), max_length=16, choices=OwnerLevel.choices)
    owner_area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("held by")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("reporter account"),
    )
    reporter_name = models.CharField(_("reporter name"), max_length=64, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    accept_by = models.DateTimeField(_("accept by"), null=True, blank=True)
    # The resolve deadline is derived: budget_days working days from clock_started_at, plus the working hours the
    # case spent suspended, unless a leader's supervision set an explicit deadline (supervise_by).
    clock_started_at = models.DateTimeField(_("clock started at"), null=True, blank=True)
    budget_days = models.PositiveSmallIntegerField(_("working days allowed"), default=0)
    suspended_hours = models.FloatField(_("working hours suspended"), default=0)
    supervise_by = models.DateTimeField(_("supervision deadline"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("resolve by"), null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField(_("deadline provisional"), default=False)
    alert_level = models.CharField(
        _("deadline"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.NORMAL, db_index=True
    )
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    resolution = models.TextField(_("result"), blank=True)
    # Working days from the report to the (latest) resolution, kept by ``timeline.save_case`` so that the average
    # handling time of an accountability table is one SQL AVG (行政问效); empty while the case is not resolved.
    working_days_taken = models.FloatField(_("working days taken"), null=True, blank=True, editable=False)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("master case"),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "area_path"]),
            models.Index(fields=["owner_area", "status"]),
            models.Index(fields=["alert_level", "status"]),
            # The command center's period queries: one category (or all) in an area, by report time.
            models.Index(fields=["category", "reported_at"]),
            models.Index(fields=["area_path", "reported_at"]),
            # Triage's duplicate search reads the open cases in a small box around a point (a few hundred metres):
            # 0.1 ms instead of a 3 ms scan of the week's cases on PostgreSQL with a few thousand of them.
            models.Index(fields=["lat", "lon"]),
            # ... and the cases of a grid in the window (reports without coordinates; the grid worker's lists).
            models.Index(fields=["grid", "reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def permission_scope(self) -> Scope:
        """Area, departments currently assigned, and the reporter: what ``accounts.permissions.can`` checks."""
        departments = frozenset(
            self.assignments.exclude(status__in=ASSIGNMENT_CLOSED).values_list("department_id", flat=True)
        )
        return Scope(area_path=self.area_path, department_ids=departments, owner_id=self.reporter_id)

    @property
    def is_open(self) -> bool:
        return self.status not in (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED)


#: Assignment statuses that no longer give the department access to the case (keep in step with
#: ``selectors.VISIBLE_ASSIGNMENT``).
ASSIGNMENT_CLOSED = ("cancelled", "returned")


class CaseEvent(TimelineEvent):
    """One row of a case's timeline (append-only): every transition, note, supervision, reminder, rating and
    view of personal data, with who, when, the status before and after, and details.

    The model and its queryset refuse updates and deletes; on PostgreSQL a trigger refuses them too.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    public = models.BooleanField(_("shown to the reporter"), default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case timeline")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            # The accountability tables ask "which cases were ever returned / redone / closed as imported history"
            # (行政问效): a small partial index over those verbs answers it without reading the whole timeline.
            models.Index(
                fields=["verb", "case"],
                condition=models.Q(
                    verb__in=[
                        "return",
                        "verify_redo",
                        "redo_in_grid",
                        "rate_dissatisfied",
                        "close_historical",
                    ]
                ),
                name="caseevent_indicator_verbs_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.verb} {self.at:%Y-%m-%d %H:%M}"

    @property
    def verb_label(self) -> str:
        return str(EVENT_LABELS.get(self.verb, self.verb))


def photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.sha256[:2]}/{instance.sha256}{_suffix(filename)}"


def public_photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.case_id}/public/{filename}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 and len(filename) - dot <= 6 else ""


class CasePhoto(models.Model):
    """A photo of the problem or of the result. ``original`` keeps EXIF (time, GPS) for staff; ``public`` is a
    metadata-free copy for anything the reporter or the public sees."""

    KIND_REPORT = "report"
    KIND_RESULT = "result"
    KIND_CHOICES = [(KIND_REPORT, _("problem")), (KIND_RESULT, _("result"))]

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=8, choices=KIND_CHOICES, default=KIND_REPORT)
    original = models.FileField(_("original"), upload_to=photo_path, max_length=255)
    public = models.FileField(_("public copy"), upload_to=public_photo_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    gps_lat = models.FloatField(null=True, blank=True)
    gps_lon = models.FloatField(null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.sha256[:12]}"


class TimeRequest(TimeStampedModel):
    """A handler's request for more time (延期) or to stop the clock (挂账), decided by the command center or a
    leader. An approved extension moves ``resolve_by``; an approved suspension suspends the case."""

    KIND_EXTENSION = "extension"
    KIND_SUSPENSION = "suspension"

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="time_requests", verbose_name=_("case")
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[(KIND_EXTENSION, _("Extension")), (KIND_SUSPENSION, _("Suspension"))],
        default=KIND_EXTENSION,
    )
    days = models.PositiveSmallIntegerField(_("working days requested"), default=0)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=8, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("extension or suspension request")
        verbose_name_plural = _("extension and suspension requests")
        ordering = ["-created_at"]
