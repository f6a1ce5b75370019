"""Departments (职能部门) and the routing rules that say which department leads a kind of case where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import TimeStampedModel
from gridgov.core.scope import Scope
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus, DepartmentKind


class Department(TimeStampedModel):
    """A unit that handles what a grid cannot: a town's 司法所, a district's 交通运输局, a 供电所.

    ``area`` is the area it serves: the town for a town office, the district for a district bureau.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(
        _("kind"), max_length=32, choices=DepartmentKind.choices, default=DepartmentKind.OTHER
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="departments", verbose_name=_("area served")
    )
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["area__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="department_unique_name_in_area")
        ]

    def __str__(self) -> str:
        return self.name

    def permission_scope(self) -> Scope:
        return Scope(area_path=self.area.path, department_ids=frozenset({self.pk}))


class RoutingRule(TimeStampedModel):
    """Category + area → lead department (主办) and optional helper departments (协办).

    The rule of the deepest area that contains a case's location wins; a rule without an area applies
    everywhere. The lead department must serve the rule's whole area.
    """

    category = models.ForeignKey(
        "cases.Category", on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("category")
    )
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("area"),
        help_text=_("Empty: applies everywhere."),
    )
    lead = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="lead_rules", verbose_name=_("lead department")
    )
    helpers = models.ManyToManyField(
        Department, blank=True, related_name="helper_rules", verbose_name=_("helper departments")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category__sort_order", "area__path"]
        constraints = [
            models.UniqueConstraint(fields=["category", "area"], name="routing_rule_unique_category_area"),
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(area__isnull=True), name="routing_rule_unique_global"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.area or '*'} → {self.lead}"


class Assignment(TimeStampedModel):
    """A case given to one department: the lead (主办) or a helper (协办), with its own status and sign deadline.

    Re-dispatch and reassignment cancel the open assignments and create new ones, so the history of who held the
    case stays readable.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sign_by = models.DateTimeField(_("sign by"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    due_by = models.DateTimeField(
        _("due by"),
        null=True,
        blank=True,
        help_text=_("The joint deadline of a coordination; empty: the case's own deadline applies."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["case_id", "role", "id"]
        indexes = [
            models.Index(fields=["department", "status"]),
            # Accountability tables and bulletins take a department's assignments of a period (行政问效).
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department} ({self.get_role_display()})"
