"""Small hand-made area trees for the geo tests.

The tree (WGS-84, near Nantong), boxes given as (min_lon, min_lat, max_lon, max_lat):

    320600           南通市 (city, no boundary)
    320612           通州区 (district)        120.90 32.00 121.00 32.10
    320612101        石港镇 (town)            120.90 32.00 120.95 32.05
    320612101001     北渡村 (village)         120.90 32.00 120.92 32.02
    320612101001001  北渡村一网格 (grid)      120.90 32.00 120.91 32.02
    320612101001002  北渡村二网格 (grid)      120.91 32.00 120.92 32.02
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from gridgov.accounts.models import User
from gridgov.geo.geojson_io import write_feature_collection

Box = tuple[float, float, float, float]


def box_polygon(box: Box) -> dict[str, Any]:
    x0, y0, x1, y1 = box
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(
    code: str,
    name: str,
    level: str,
    parent: str | None,
    geometry: Box | dict[str, Any] | None = None,
    aliases: list[str] | None = None,
) -> dict[str, Any]:
    if isinstance(geometry, tuple):
        geometry = box_polygon(geometry)
    properties: dict[str, Any] = {"code": code, "name": name, "level": level, "parent_code": parent}
    if aliases is not None:
        properties["aliases"] = aliases
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict[str, Any]) -> str:
    """A FeatureCollection text with feature i (0-based) on line i + 2."""
    out = io.StringIO()
    write_feature_collection(features, out)
    return out.getvalue()


CITY = feature("320600", "南通市", "city", None, aliases=["南通"])
DISTRICT = feature("320612", "通州区", "district", "320600", (120.90, 32.00, 121.00, 32.10))
TOWN = feature("320612101", "石港镇", "town", "320612", (120.90, 32.00, 120.95, 32.05))
VILLAGE = feature("320612101001", "北渡村", "village", "320612101", (120.90, 32.00, 120.92, 32.02))
GRID_1 = feature("320612101001001", "北渡村一网格", "grid", "320612101001", (120.90, 32.00, 120.91, 32.02))
GRID_2 = feature(
    "320612101001002", "北渡村二网格", "grid", "320612101001", (120.91, 32.00, 120.92, 32.02), ["北渡村22组"]
)
TREE = [CITY, DISTRICT, TOWN, VILLAGE, GRID_1, GRID_2]


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def tree_text() -> str:
    return collection(*TREE)


@pytest.fixture
def admin_user(db: None) -> User:
    """An administrator (a superuser holds the admin role). No password: hashing one is slow, tests log in with
    ``force_login``."""
    return User.objects.create_user(
        username="admin", password=None, name="管理员", is_superuser=True, is_staff=True
    )


@pytest.fixture
def plain_user(db: None) -> User:
    return User.objects.create_user(username="resident", password=None)


@pytest.fixture
def imported_tree(admin_user: User, tree_text: str) -> Callable[[], None]:
    """The tree above in the database, and the grid index rebuilt for it."""
    from gridgov.geo.actions import import_areas
    from gridgov.geo.index import invalidate_grid_index

    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    invalidate_grid_index()  # the test transaction never commits, so on_commit hooks do not run
    return invalidate_grid_index
