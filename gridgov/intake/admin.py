"""Admin for Open311 API keys (issued through ``intake.keys``, the raw key shown once) and, read-only, the
submissions that record where each report came from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Verb
from gridgov.core.admin_mixins import ManagedByVerb, ReadOnlyAuditAdmin
from gridgov.core.masking import mask_phone
from gridgov.intake import keys
from gridgov.intake.models import ApiKey, Submission

if TYPE_CHECKING:
    from gridgov.accounts.models import User


def _actor(request: HttpRequest) -> User:
    return cast("User", request.user)


class ApiKeyForm(forms.ModelForm):
    """Name, jurisdiction and contact; the key itself is generated when the record is added."""

    class Meta:
        model = ApiKey
        fields = ["name", "jurisdiction", "contact", "is_active"]

    def clean_jurisdiction(self) -> Any:
        jurisdiction = self.cleaned_data.get("jurisdiction")
        if jurisdiction is not None and jurisdiction.level not in keys.JURISDICTION_LEVELS:
            raise ValidationError(gettext("A key can only be limited to an active town or district."))
        return jurisdiction


@admin.register(ApiKey)
class ApiKeyAdmin(ManagedByVerb, admin.ModelAdmin):
    manage_verb = Verb.MANAGE_USERS
    form = ApiKeyForm
    list_display = ("name", "prefix", "jurisdiction", "is_active", "last_used_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "prefix", "contact")
    list_select_related = ("jurisdiction",)
    readonly_fields = ("prefix", "last_used_at", "created_at", "created_by")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "jurisdiction", "contact"]
        return [
            "name",
            "prefix",
            "jurisdiction",
            "contact",
            "is_active",
            "last_used_at",
            "created_at",
            "created_by",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("name", *self.readonly_fields)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "jurisdiction":
            from gridgov.geo.models import Area

            kwargs["queryset"] = Area.objects.filter(level__in=keys.JURISDICTION_LEVELS, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: submissions keep their key

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            changes = {
                field: form.cleaned_data[field]
                for field in form.changed_data
                if field in keys.EDITABLE_KEY_FIELDS
            }
            if changes:
                keys.update_api_key(actor=_actor(request), key=obj, changes=changes)
            return
        key, raw = keys.issue_api_key(
            actor=_actor(request),
            name=form.cleaned_data["name"],
            jurisdiction=form.cleaned_data.get("jurisdiction"),
            contact=form.cleaned_data.get("contact", ""),
        )
        obj.pk = key.pk
        obj.prefix = key.prefix
        obj.key_hash = key.key_hash
        obj.created_by = key.created_by
        obj.created_at = key.created_at
        obj.updated_at = key.updated_at
        obj._state.adding = False
        obj._state.db = key._state.db
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                gettext("The API key of %(name)s (copy it now: it is shown only this once):")
                % {"name": key.name},
                raw,
            ),
        )


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAuditAdmin, admin.ModelAdmin):
    """Where each report came from (read-only; the tracking secret is never shown)."""

    list_display = ("case", "channel", "source", "api_key", "external_id", "created_at")
    list_filter = ("channel",)
    search_fields = ("case__number", "source", "external_id")
    list_select_related = ("case", "api_key")
    date_hierarchy = "created_at"
    fields = (
        "case",
        "channel",
        "source",
        "external_id",
        "api_key",
        "token",
        "sender_hash",
        "details",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("details"))
    def details(self, obj: Submission) -> str:
        """The channel's details without the reporter's contact data (shown masked)."""
        extra = dict(obj.extra) if isinstance(obj.extra, dict) else {}
        if extra.get("email"):
            local, _at, domain = str(extra["email"]).partition("@")
            extra["email"] = f"{local[:1]}***@{domain}"
        if extra.get("phone"):
            extra["phone"] = mask_phone(str(extra["phone"]))
        return ", ".join(f"{name}: {value}" for name, value in sorted(extra.items())) or "—"
