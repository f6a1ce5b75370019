"""A small working town for lifecycle tests: departments, routing-free, one user per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.dispatch.choices import DepartmentKind
from gridgov.dispatch.models import Department
from gridgov.testing.factories import DepartmentFactory, RegionTree, UserFactory, grant


@dataclass
class Town:
    region: RegionTree
    roads: Department
    justice: Department
    other_town_roads: Department
    dispatcher: User
    district_dispatcher: User
    worker: User
    other_worker: User
    chief: User
    handler: User
    justice_handler: User
    other_handler: User
    leader: User
    resident: User


@pytest.fixture
def town(region):
    town1, town2 = region.towns
    roads = DepartmentFactory(area=town1, name="测试镇1建设办", kind=DepartmentKind.TRANSPORT)
    justice = DepartmentFactory(area=town1, name="测试镇1司法所", kind=DepartmentKind.JUSTICE)
    other = DepartmentFactory(area=town2, name="测试镇2建设办", kind=DepartmentKind.TRANSPORT)

    def user(username, role, **scope):
        person = UserFactory(username=username)
        grant(person, role, **scope)
        return person

    return Town(
        region=region,
        roads=roads,
        justice=justice,
        other_town_roads=other,
        dispatcher=user("dispatcher", Role.DISPATCHER, area=town1),
        district_dispatcher=user("district", Role.DISPATCHER, area=region.district),
        worker=user("worker", Role.GRID_WORKER, area=region.grids[0]),
        other_worker=user("worker2", Role.GRID_WORKER, area=region.grids[1]),
        chief=user("chief", Role.GRID_CHIEF, area=region.villages[0]),
        handler=user("handler", Role.DEPARTMENT_HANDLER, department=roads),
        justice_handler=user("justice", Role.DEPARTMENT_HANDLER, department=justice),
        other_handler=user("handler2", Role.DEPARTMENT_HANDLER, department=other),
        leader=user("leader", Role.LEADER, area=town1),
        resident=user("resident", Role.RESIDENT),
    )
