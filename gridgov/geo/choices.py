from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    """Levels of the area tree, top to bottom. Each level above the grid has its own command center."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    TOWN = "town", _("Town / street")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid")


#: Parent level of each level (the city has none).
PARENT_LEVEL: dict[str, str | None] = {
    AreaLevel.CITY: None,
    AreaLevel.DISTRICT: AreaLevel.CITY,
    AreaLevel.TOWN: AreaLevel.DISTRICT,
    AreaLevel.VILLAGE: AreaLevel.TOWN,
    AreaLevel.GRID: AreaLevel.VILLAGE,
}

#: Depth in the tree, 0 for the city.
LEVEL_DEPTH: dict[str, int] = {level: depth for depth, level in enumerate(AreaLevel.values)}

#: Code length by level: 统计用区划代码 (6 digits for city and district, 9 for town, 12 for village);
#: a grid adds our own 3-digit suffix to its village's code.
CODE_LENGTH: dict[str, int] = {
    AreaLevel.CITY: 6,
    AreaLevel.DISTRICT: 6,
    AreaLevel.TOWN: 9,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GRID: 15,
}
