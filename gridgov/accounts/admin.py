"""Admin for users and role grants. Saves go through ``accounts.actions`` so that they are validated and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.accounts import actions
from gridgov.accounts.models import RoleGrant, User
from gridgov.accounts.permissions import Verb
from gridgov.core.admin_mixins import ManagedByVerb
from gridgov.core.masking import mask_phone


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "area", "department")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ManagedByVerb, DjangoUserAdmin):
    manage_verb = Verb.MANAGE_USERS
    list_display = ("username", "name", "masked_phone", "roles", "is_active", "last_login")
    list_filter = ("is_active", "grants__role")
    search_fields = ("username", "name")
    ordering = ("username",)
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("name", "phone", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "phone", "password1", "password2")}),
    )
    readonly_fields = ("is_staff", "last_login", "date_joined")

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted({grant.get_role_display() for grant in obj.grants.all()}))

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("grants")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor = request.user
        if not change:
            created = actions.create_user(
                actor=actor,  # type: ignore[arg-type]
                username=obj.username,
                name=obj.name,
                phone=obj.phone,
                password=form.cleaned_data.get("password1"),
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        fields = [field for field in form.changed_data if field in actions.EDITABLE_USER_FIELDS]
        fresh = User.objects.get(pk=obj.pk)
        actions.update_user(
            actor=actor,  # type: ignore[arg-type]
            user=fresh,
            changes={field: getattr(obj, field) for field in fields},
        )


@admin.register(RoleGrant)
class RoleGrantAdmin(ManagedByVerb, admin.ModelAdmin):
    manage_verb = Verb.MANAGE_USERS
    list_display = ("user", "role", "area", "department", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__name", "area__name", "department__name")
    autocomplete_fields = ("user",)
    raw_id_fields = ("area", "department")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a grant is revoked and granted anew, never edited in place

    def save_model(self, request: HttpRequest, obj: RoleGrant, form: Any, change: bool) -> None:
        grant = actions.grant_role(
            actor=request.user,  # type: ignore[arg-type]
            user=obj.user,
            role=obj.role,
            area=obj.area,
            department=obj.department,
        )
        obj.pk = grant.pk

    def delete_model(self, request: HttpRequest, obj: RoleGrant) -> None:
        actions.revoke_role(actor=request.user, grant=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for grant in queryset:
            self.delete_model(request, grant)
