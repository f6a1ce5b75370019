"""Users and their role grants (role + the area or department the role is scoped to)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in: staff of every role, volunteers, and residents who chose to register.

    ``name`` is the person's full name as written in Chinese (one field, no first/last split). ``phone`` is
    personal data: shown masked unless the viewer's role needs it.
    """

    name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username


class RoleGrant(TimeStampedModel):
    """One role of a user with its scope: a grid worker's grid, a grid chief's village, a dispatcher's command
    center (town or district), a handler's department (optionally limited to an area), a leader's area.

    A user may hold several grants (a grid worker who also volunteers, a worker with two grids). Grants are
    written only through ``accounts.actions``, which validate the scope against the role.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("area"),
    )
    department = models.ForeignKey(
        "dispatch.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["user_id", "role"]
        indexes = [models.Index(fields=["role", "area"])]

    def __str__(self) -> str:
        scope = self.department or self.area
        return f"{self.user} · {self.get_role_display()}" + (f" · {scope}" if scope else "")
