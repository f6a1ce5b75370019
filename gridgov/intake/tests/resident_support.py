"""Builders shared by the resident page tests (test_resident_*.py): people of a small town, photos, reports."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.cases import actions as case_actions
from gridgov.cases.choices import Channel
from gridgov.cases.models import Case
from gridgov.dispatch.choices import DepartmentKind
from gridgov.dispatch.models import Department
from gridgov.intake.actions import Intake, Submitted, submit_report
from gridgov.testing.factories import DepartmentFactory, RegionTree, UserFactory, category, grant

#: A point inside the first grid of ``RegionTree`` (the grid is the square 120.90–120.91 E, 32.20–32.21 N).
INSIDE = (32.205, 120.905)
#: About 50 m north of ``INSIDE``, still in the same grid.
NEAR = (32.2055, 120.905)
#: Inside the last grid of the second town, some 15 km away.
FAR = (32.205, 121.035)
PHONE = "13812345678"
NAME = "王阿姨"
DISPATCHER_NAME = "派单员小李"
WORKER_NAME = "网格员老张"


@dataclass
class People:
    region: RegionTree
    roads: Department
    dispatcher: User
    worker: User
    resident: User


def make_people(region):  # factories are untyped: left unchecked like the other test builders
    town = region.towns[0]
    roads = DepartmentFactory(area=town, name="测试镇1建设办", kind=DepartmentKind.TRANSPORT)
    dispatcher = UserFactory(username="dispatcher", name=DISPATCHER_NAME)
    grant(dispatcher, Role.DISPATCHER, area=town)
    worker = UserFactory(username="worker", name=WORKER_NAME)
    grant(worker, Role.GRID_WORKER, area=region.grids[0])
    resident = UserFactory(username="resident", name="居民小陈")
    grant(resident, Role.RESIDENT)
    return People(region=region, roads=roads, dispatcher=dispatcher, worker=worker, resident=resident)


def jpeg(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def photo_upload(name: str = "photo.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() if data is None else data, content_type="image/jpeg")


def submit(
    *,
    text: str = "北渡村22组路口路灯不亮，晚上很黑",
    code: str | None = "road",
    at: tuple[float, float] | None = INSIDE,
    phone: str = PHONE,
    **extra: Any,
) -> Submitted:
    """A resident's report through the real intake action (channel web, source h5)."""
    lat, lon = at if at is not None else (None, None)
    return submit_report(
        actor=None,
        intake=Intake(
            channel=Channel.WEB,
            source="h5",
            sender="203.0.113.7",
            text=text,
            category=category(code) if code else None,
            lat=lat,
            lon=lon,
            reporter_name=NAME,
            reporter_phone=phone,
            **extra,
        ),
    )


def verified(people: People, case: Case) -> Case:
    """Accept, resolve in the grid and verify: the case then awaits the reporter's rating."""
    case = case_actions.accept_case(
        actor=people.dispatcher, case=case, category=case.category or category("road")
    )
    case = case_actions.resolve_in_grid(actor=people.worker, case=case, result="已更换路灯灯泡，恢复照明")
    return case_actions.verify_case(actor=people.worker, case=case, ok=True)
