"""factory_boy factories and builders shared by the tests of every app."""

from __future__ import annotations

from typing import Any

import factory

from gridgov.accounts.models import RoleGrant, User
from gridgov.cases.models import Category
from gridgov.dispatch.choices import DepartmentKind
from gridgov.dispatch.models import Department
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_area(code: str, name: str, level: str, parent: Area | None = None, **extra: Any) -> Area:
    """Create an area with its path (tests build trees directly; production goes through geo.actions)."""
    path = (parent.path if parent else "/") + code + "/"
    return Area.objects.create(code=code, name=name, level=level, parent=parent, path=path, **extra)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password("correct-horse-battery")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = DepartmentKind.OTHER


def grant(user: User, role: str, area: Area | None = None, department: Department | None = None) -> RoleGrant:
    """Attach a role grant directly (tests of the policy itself; production uses accounts.actions)."""
    result = RoleGrant.objects.create(user=user, role=role, area=area, department=department)
    if hasattr(user, "_gridgov_grants"):
        del user._gridgov_grants
    return result


def category(code: str = "road") -> Category:
    return Category.objects.get(code=code)


class RegionTree:
    """A small region: city → district → two towns → two villages each → two grids each.

    Boundaries are squares so that every grid lies in its village and siblings touch without overlapping.
    """

    def __init__(self) -> None:
        self.city = make_area("320600", "南通市", AreaLevel.CITY)
        self.district = make_area("320612", "通州区", AreaLevel.DISTRICT, self.city)
        self.towns: list[Area] = []
        self.villages: list[Area] = []
        self.grids: list[Area] = []
        for t in range(2):
            town = make_area(f"320612{100 + t}", f"测试镇{t + 1}", AreaLevel.TOWN, self.district)
            self.towns.append(town)
            for v in range(2):
                village = make_area(
                    f"{town.code}{200 + v}", f"测试村{t + 1}-{v + 1}", AreaLevel.VILLAGE, town
                )
                self.villages.append(village)
                for g in range(2):
                    lon = 120.9 + t * 0.1 + v * 0.02 + g * 0.01
                    grid = make_area(
                        f"{village.code}{g + 1:03d}",
                        f"{village.name}第{g + 1}网格",
                        AreaLevel.GRID,
                        village,
                        boundary=square(lon, 32.2),
                    )
                    self.grids.append(grid)
