"""Reads of the accounts app shared by pages, API and commands."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant, User
from gridgov.accounts.permissions import POLICY, Rule, Verb, can, grants_of
from gridgov.core.scope import path_prefixes
from gridgov.core.stamps import Stamped
from gridgov.geo.choices import AreaLevel
from gridgov.geo.index import AREAS_STAMP
from gridgov.geo.models import Area

#: Levels of a command center: the areas work orders can be imported for.
CENTER_LEVELS = (AreaLevel.TOWN, AreaLevel.DISTRICT, AreaLevel.CITY)
STAFF_STAMP = "gridgov:accounts:staff"


def command_actor(username: str | None) -> User:
    """The user a management command acts as: ``--actor USERNAME`` or the system account."""
    from gridgov.accounts.actions import ensure_system_user

    if not username:
        return ensure_system_user()
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(_("No active user named %(username)s.") % {"username": username}) from exc


def users_with_role(role: str, *, within: Area | None = None) -> QuerySet[User]:
    """Users holding ``role``, optionally with a grant inside ``within`` (e.g. the grid workers of a town)."""
    queryset = User.objects.filter(is_active=True, grants__role=role)
    if within is not None:
        queryset = queryset.filter(grants__area__path__within=within.path)
    return queryset.distinct().order_by("username")


def grid_workers_of(grid: Area) -> QuerySet[User]:
    return users_with_role(Role.GRID_WORKER, within=grid)


def handlers_of(department_id: int, *, area_path: str = "") -> QuerySet[User]:
    """Handlers of a department (those limited to an area only when ``area_path`` lies in it)."""
    queryset = User.objects.filter(
        is_active=True, grants__role=Role.DEPARTMENT_HANDLER, grants__department_id=department_id
    )
    users = [
        user.pk
        for user in queryset.prefetch_related("grants__area")
        if any(
            grant.role == Role.DEPARTMENT_HANDLER
            and grant.department_id == department_id
            and (grant.area is None or area_path.startswith(grant.area.path))
            for grant in user.grants.all()
        )
    ]
    return User.objects.filter(pk__in=users).order_by("username")


def dispatchers_of(center: Area) -> QuerySet[User]:
    """The dispatchers of the command center of ``center`` (a town or district)."""
    return User.objects.filter(is_active=True, grants__role=Role.DISPATCHER, grants__area=center).distinct()


def _no_holders() -> dict[int, tuple[User, ...]]:
    return {}


#: Who holds which grid or center, filled area by area and kept per process until an account or a grant changes
#: (or the areas do): every report tells them.
_holders: Stamped[dict[int, tuple[User, ...]]] = Stamped(STAFF_STAMP, _no_holders, also=[AREAS_STAMP])
_holders.follow(User, RoleGrant, ignore_fields=["last_login"])


def holders_of_area(area: Area) -> tuple[User, ...]:
    """Whoever holds a case held by ``area`` when no department does: a grid's workers, a center's dispatchers.

    The users are shared by every request of the process: read them, never change them.
    """
    cache = _holders.get()
    users = cache.get(area.pk)
    if users is None:
        users = tuple(grid_workers_of(area) if area.is_grid else dispatchers_of(area))
        cache[area.pk] = users
    return users


def leaders_over(area_path: str) -> QuerySet[User]:
    """Leaders whose area contains ``area_path``."""
    return User.objects.filter(
        is_active=True, grants__role=Role.LEADER, grants__area__path__in=path_prefixes(area_path)
    ).distinct()


# --- Importing work orders ---------------------------------------------------------------------------------------


def import_areas_for(actor: Any) -> list[Area]:
    """The command centers (town, district, city) ``actor`` may import work orders for.

    Importing is reporting cases in bulk, so it takes the right to report cases *in an area*
    (``Verb.REPORT_CASE`` with the ``AREA`` rule: dispatchers and leaders of a center); the resident's right to
    report anywhere does not count. The import (``intake.imports``) and the closing of imported history
    (``cases.history``) ask the same question here.
    """
    rules = POLICY[Verb.REPORT_CASE]
    paths = [
        grant.area_path
        for grant in grants_of(actor)
        if rules.get(grant.role) is Rule.AREA and grant.area_path
    ]
    if not paths:
        return []
    return list(Area.objects.filter(path__in=paths, level__in=CENTER_LEVELS, is_active=True).order_by("path"))


def may_import(actor: Any, area: Area) -> bool:
    """May ``actor`` import work orders into ``area`` (a command center's area in their scope)?"""
    if area.level not in CENTER_LEVELS or not can(actor, Verb.REPORT_CASE, area):
        return False
    return any(area.path.startswith(center.path) for center in import_areas_for(actor))
