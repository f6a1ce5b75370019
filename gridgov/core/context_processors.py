"""Template context shared by every page: map settings and the holiday-calendar warning."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    from gridgov.core.calendar import missing_schedule_years

    conf = settings.GRIDGOV
    user = getattr(request, "user", None)
    is_staff_user = bool(user is not None and user.is_authenticated and _is_staff_role(user))
    return {
        "map_config": {
            "tileUrl": conf["MAP_TILE_URL"],
            "tileAttribution": conf["MAP_TILE_ATTRIBUTION"],
            "center": [conf["MAP_CENTER_LAT"], conf["MAP_CENTER_LON"]],
            "zoom": conf["MAP_ZOOM"],
        },
        "calendar_missing_years": missing_schedule_years() if is_staff_user else [],
    }


def _is_staff_role(user: Any) -> bool:
    from gridgov.accounts.choices import Role
    from gridgov.accounts.permissions import roles_of

    return user.is_staff or bool(roles_of(user) - {Role.RESIDENT, Role.VOLUNTEER})
