"""Builders shared by the import tests: the people of a town and work-order files made in the test."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.testing.factories import RegionTree, UserFactory, grant

HEADERS = [
    "工单编号",
    "来电时间",
    "来电人",
    "联系电话",
    "诉求内容",
    "诉求类型",
    "事发地址",
    "所属网格",
    "问题分类",
]


@dataclass
class People:
    region: RegionTree
    dispatcher: User  # the first town's command center
    closer: (
        User  # a town dispatcher who is also grid chief of the first village: may close cases in its grids
    )
    district: User
    worker: User
    leader_village: User
    resident: User
    admin: User


def make_people(region: RegionTree) -> People:
    def user(username: str, *grants: tuple[str, Any]) -> User:
        person = cast(User, UserFactory(username=username))
        for role, area in grants:
            grant(person, role, area=area)
        return person

    town = region.towns[0]
    admin = cast(User, UserFactory(username="admin", is_superuser=True, is_staff=True))
    return People(
        region=region,
        dispatcher=user("dispatcher", (Role.DISPATCHER, town)),
        closer=user("closer", (Role.DISPATCHER, town), (Role.GRID_CHIEF, region.villages[0])),
        district=user("district", (Role.DISPATCHER, region.district)),
        worker=user("worker", (Role.GRID_WORKER, region.grids[0])),
        leader_village=user("villageleader", (Role.LEADER, region.villages[0])),
        resident=user("resident", (Role.RESIDENT, None)),
        admin=admin,
    )


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, title_row: str = "") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode(encoding)
