"""Writes of the accounts app: users and role grants. Every change is audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.choices import ROLE_AREA_LEVELS, ROLE_REQUIRES_AREA, ROLE_REQUIRES_DEPARTMENT, Role
from gridgov.accounts.models import RoleGrant, User
from gridgov.accounts.permissions import Verb, forget_grants, require
from gridgov.core.audit import record
from gridgov.dispatch.models import Department
from gridgov.geo.models import Area

#: Roles that work in the Django admin (base data, routing rules).
ADMIN_SITE_ROLES = {Role.ADMIN, Role.DISPATCHER}


def validate_grant(*, role: str, area: Area | None, department: Department | None) -> None:
    """Check that the scope fits the role; raise ``ValidationError`` naming the field otherwise."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    else:
        if role in ROLE_REQUIRES_AREA and area is None:
            errors["area"] = _("This role needs an area.")
        if area is not None and area.level not in ROLE_AREA_LEVELS[role]:
            errors["area"] = _("The role “%(role)s” cannot be scoped to an area of level “%(level)s”.") % {
                "role": Role(role).label,
                "level": area.get_level_display(),
            }
        if role in ROLE_REQUIRES_DEPARTMENT and department is None:
            errors["department"] = _("This role needs a department.")
        if role not in ROLE_REQUIRES_DEPARTMENT and department is not None:
            errors["department"] = _("Only department handlers are scoped to a department.")
        if (
            department is not None
            and area is not None
            and not (department.area.contains(area) or area.contains(department.area))
        ):
            errors["area"] = _("The area must lie within the area the department serves.")
    if errors:
        raise ValidationError(errors)


def _sync_admin_site_access(user: User) -> None:
    is_staff = user.is_superuser or user.grants.filter(role__in=ADMIN_SITE_ROLES).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    forget_grants(user)


def create_user(
    *, actor: User, username: str, name: str = "", phone: str = "", password: str | None = None
) -> User:
    """Create a sign-in account. Without a password the account cannot sign in until one is set."""
    require(actor, Verb.MANAGE_USERS)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("This username is already taken.")})
        user = User(username=username, name=name, phone=phone)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        record(actor=actor, verb="create_user", target=user, summary=username)
    return user


def grant_role(
    *, actor: User, user: User, role: str, area: Area | None = None, department: Department | None = None
) -> RoleGrant:
    """Give ``user`` a role with its scope (idempotent: the same grant twice is one grant)."""
    require(actor, Verb.MANAGE_USERS)
    validate_grant(role=role, area=area, department=department)
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user, role=role, area=area, department=department
        )
        if created:
            record(
                actor=actor,
                verb="grant_role",
                target=user,
                summary=str(grant),
                data={
                    "role": role,
                    "area": area.code if area else None,
                    "department": department and department.code,
                },
            )
        _sync_admin_site_access(user)
    return grant


def revoke_role(*, actor: User, grant: RoleGrant) -> None:
    """Take a role grant away."""
    require(actor, Verb.MANAGE_USERS)
    with transaction.atomic():
        user = grant.user
        summary = str(grant)
        grant.delete()
        record(actor=actor, verb="revoke_role", target=user, summary=summary)
        _sync_admin_site_access(user)


def ensure_system_user() -> User:
    """The account that management commands and scheduled jobs act as (bootstrap: needs no actor).

    It cannot sign in (unusable password) and holds the administrator role.
    """
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=settings.GRIDGOV["SYSTEM_USERNAME"], defaults={"name": _("System"), "is_active": True}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if not user.grants.filter(role=Role.ADMIN).exists():
            RoleGrant.objects.create(user=user, role=Role.ADMIN)
            record(actor=user, verb="grant_role", target=user, summary="system administrator (bootstrap)")
        forget_grants(user)
    return user


#: User fields that ``update_user`` may change (passwords go through Django's own password forms).
EDITABLE_USER_FIELDS = {"name", "phone", "email", "is_active"}


def update_user(*, actor: User, user: User, changes: dict[str, object]) -> User:
    """Change a user's name, phone, e-mail or active flag. Phone values are not written to the audit trail."""
    require(actor, Verb.MANAGE_USERS)
    unknown = set(changes) - EDITABLE_USER_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    with transaction.atomic():
        for field, value in changes.items():
            setattr(user, field, value)
        user.full_clean()
        user.save(update_fields=[*changes] or None)
        record(
            actor=actor,
            verb="update_user",
            target=user,
            summary=user.username,
            data={"fields": sorted(changes)},
        )
    return user
