"""Admin for the area tree: browse areas and edit their names and aliases.

Codes, levels, parents and boundaries change only through ``gridgov import_areas`` (the whole file is checked
against the tree and the other boundaries there), so they are read-only here; the name and aliases go through
``geo.actions.update_area`` so that the edit is permission-checked and audited. Access follows
``accounts.permissions.can``: administrators manage, staff with an area see their own part of the tree.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Verb, can, can_somewhere, scope_q
from gridgov.core.admin_mixins import ManagedByVerb
from gridgov.geo import actions
from gridgov.geo.models import Area

if TYPE_CHECKING:
    from gridgov.accounts.models import User


class AreaForm(forms.ModelForm):
    """Aliases are edited one per line rather than as raw JSON."""

    aliases_text = forms.CharField(
        label=_("aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line, e.g. 北渡村22组"),
    )

    class Meta:
        model = Area
        fields = ["name", "case_prefix"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["aliases_text"].initial = "\n".join(self.instance.aliases or [])

    def clean_aliases_text(self) -> list[str]:
        text: str = self.cleaned_data.get("aliases_text") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


@admin.register(Area)
class AreaAdmin(ManagedByVerb, admin.ModelAdmin):
    manage_verb = Verb.MANAGE_AREAS
    view_verb = Verb.VIEW_AREA
    form = AreaForm
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    ordering = ("path",)
    list_per_page = 100
    fields = (
        "code",
        "name",
        "aliases_text",
        "case_prefix",
        "level",
        "parent",
        "path",
        "is_active",
        "centroid",
        "bounding_box",
        "boundary_json",
        "updated_at",
    )
    readonly_fields = (
        "code",
        "level",
        "parent",
        "path",
        "is_active",
        "centroid",
        "bounding_box",
        "boundary_json",
        "updated_at",
    )

    @admin.display(description=_("centroid (lat, lon)"))
    def centroid(self, obj: Area) -> str:
        if obj.centroid_lat is None or obj.centroid_lon is None:
            return "-"
        return f"{obj.centroid_lat:.6f}, {obj.centroid_lon:.6f}"

    @admin.display(description=_("bounding box (lat, lon)"))
    def bounding_box(self, obj: Area) -> str:
        if obj.min_lat is None:
            return "-"
        return f"{obj.min_lat:.6f}, {obj.min_lon:.6f} – {obj.max_lat:.6f}, {obj.max_lon:.6f}"

    @admin.display(description=_("boundary (GeoJSON, WGS-84)"))
    def boundary_json(self, obj: Area) -> str:
        if not obj.boundary:
            return "-"
        text = json.dumps(obj.boundary, ensure_ascii=False)
        return format_html('<pre style="max-height:20em;overflow:auto;white-space:pre-wrap">{}</pre>', text)

    # --- Access -------------------------------------------------------------------------------------------------

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            # The list is filtered to the user's areas (get_queryset); any role that may view areas may open it.
            return can(request.user, self.manage_verb) or can_somewhere(request.user, Verb.VIEW_AREA)
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # areas are created by import, which checks them against the tree

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases, grants and departments refer to areas

    def get_queryset(self, request: HttpRequest) -> QuerySet[Area]:
        queryset = super().get_queryset(request)
        if can(request.user, self.manage_verb):
            return queryset
        return queryset.filter(scope_q(request.user, Verb.VIEW_AREA, area_path_field="path"))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Area], search_term: str
    ) -> tuple[QuerySet[Area], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # Aliases are a JSON list: PostgreSQL stores the characters, SQLite the \\u escapes of non-ASCII ones.
            escaped = json.dumps(term)[1:-1]
            results = results | queryset.filter(Q(aliases__icontains=term) | Q(aliases__icontains=escaped))
        return results, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        actions.update_area(
            actor=cast("User", request.user),  # the admin site lets only signed-in staff through
            area=obj,
            name=form.cleaned_data["name"],
            aliases=form.cleaned_data["aliases_text"],
            case_prefix=form.cleaned_data.get("case_prefix", ""),
        )
