"""Reads of the accounts app shared by pages, API and commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.geo.models import Area


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
        queryset = queryset.filter(grants__area__path__startswith=within.path)
    return queryset.distinct().order_by("username")


def grid_workers_of(grid: Area) -> QuerySet[User]:
    return users_with_role(Role.GRID_WORKER, within=grid)
