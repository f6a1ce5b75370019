from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.geo.choices import AreaLevel


class Role(models.TextChoices):
    """The roles of GridGov. A user holds one or more role grants, each with its own scope."""

    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_CHIEF = "grid_chief", _("Grid chief")
    DISPATCHER = "dispatcher", _("Dispatcher")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    LEADER = "leader", _("Leader")
    VOLUNTEER = "volunteer", _("Volunteer")
    ADMIN = "admin", _("Administrator")


#: Area levels a grant of each role may be scoped to (an empty set: the role takes no area).
ROLE_AREA_LEVELS: dict[str, set[str]] = {
    Role.RESIDENT: set(),
    Role.GRID_WORKER: {AreaLevel.GRID},
    Role.GRID_CHIEF: {AreaLevel.VILLAGE},
    Role.DISPATCHER: {AreaLevel.TOWN, AreaLevel.DISTRICT, AreaLevel.CITY},
    Role.DEPARTMENT_HANDLER: {AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWN, AreaLevel.VILLAGE},
    Role.LEADER: {AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWN, AreaLevel.VILLAGE},
    Role.VOLUNTEER: {AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWN, AreaLevel.VILLAGE, AreaLevel.GRID},
    Role.ADMIN: set(),
}

#: Roles whose grant must name an area (the others may, or must not).
ROLE_REQUIRES_AREA = {Role.GRID_WORKER, Role.GRID_CHIEF, Role.DISPATCHER, Role.LEADER}

#: Roles whose grant must name a department.
ROLE_REQUIRES_DEPARTMENT = {Role.DEPARTMENT_HANDLER}
