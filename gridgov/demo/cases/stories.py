"""The three origin stories (the convex mirror, the boundary quarrel settled in the grid, the road repaired
overnight), walked step by step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gridgov.cases import actions as case_actions
from gridgov.cases.choices import Priority, Satisfaction
from gridgov.cases.models import Category
from gridgov.demo.cases.cast import _Cast
from gridgov.demo.cases.plan import _aware, _Clock, _workday_on_or_before
from gridgov.demo.cases.problems import HELP, HOTLINE, PATROL, SUGGEST, WEB
from gridgov.demo.cases.texts import RESIDENT_NAME, RESIDENT_PHONE, STORY_BOUNDARY, STORY_MIRROR, STORY_ROAD
from gridgov.dispatch import actions as dispatch_actions
from gridgov.geo.choices import AreaLevel
from gridgov.geo.index import get_grid_index
from gridgov.geo.models import Area

# --- The origin stories ---------------------------------------------------------------------------------------------


def _point(grid: Area) -> tuple[float | None, float | None]:
    """The grid's centroid as the report's coordinates, if it falls in the grid (else no coordinates)."""
    lat, lon = grid.centroid_lat, grid.centroid_lon
    if lat is None or lon is None or get_grid_index().lookup(lat, lon) != grid.code:
        return None, None
    return lat, lon


def _find_grid(alias: str) -> Area:
    for grid in Area.objects.filter(level=AreaLevel.GRID).order_by("path"):
        if alias in grid.aliases:
            return grid
    raise LookupError(f"demo grid {alias!r} not found")


def _town_of(grid: Area) -> Area:
    town = grid.parent.parent if grid.parent is not None else None
    if town is None:  # pragma: no cover - grids hang under villages under towns
        raise LookupError(grid.name)
    return town


def _stories(cast: _Cast, reference: datetime) -> list[tuple[str, datetime, Callable[[_Clock], None]]]:
    """The three origin stories as (text, report time, writer). Their times are fixed relative to the reference."""
    mirror_grid = _find_grid("北渡村22组")
    boundary_grid = _find_grid("花市街村4组")
    road_grid = _find_grid("翠竹新村")
    today = timezone.localtime(reference).date()
    mirror_day = _workday_on_or_before(today - timedelta(days=62))
    boundary_day = _workday_on_or_before(today - timedelta(days=45))
    road_day = today - timedelta(days=20)
    categories = {category.code: category for category in Category.objects.all()}

    def at(day: date, hour: int, minute: int, days: int = 0) -> datetime:
        return _aware(day + timedelta(days=days), time(hour, minute))

    def mirror(clock: _Clock) -> None:
        town = _town_of(mirror_grid)
        dispatcher = cast.dispatcher(town)
        lead = cast.route(categories["road"], mirror_grid).lead  # 石港镇建设办
        handler = cast.handler(lead)
        clock.set(at(mirror_day, 9, 12))
        case = case_actions.report_case(
            actor=dispatcher, channel=HOTLINE, text=STORY_MIRROR, title="北渡村22组拐角视线盲区，建议安装凸面镜",
            category=categories["road"], request_type=SUGGEST, grid=mirror_grid,
            address="石港镇北渡村22组村道拐角", reporter_name="王女士", reporter_phone="13862871462",
            lat=_point(mirror_grid)[0], lon=_point(mirror_grid)[1],
        )  # fmt: skip
        clock.set(at(mirror_day, 9, 20))
        case = case_actions.accept_case(actor=dispatcher, case=case, note="属道路交通安全隐患，予以立案。")
        clock.set(at(mirror_day, 9, 31))
        case = dispatch_actions.dispatch_case(
            actor=dispatcher, case=case, lead=lead, note="请现场查看，在拐角处加装凸面镜。"
        )
        clock.set(at(mirror_day, 10, 5))
        case = dispatch_actions.sign_case(actor=handler, case=case)
        clock.set(at(mirror_day, 14, 30, days=1))
        case = case_actions.comment_case(
            actor=handler, case=case, text="已到现场踏勘，凸面镜已订购，到货后安装。", public=True
        )
        clock.set(at(mirror_day, 15, 40, days=2))
        case = dispatch_actions.resolve_case(
            actor=handler, case=case,
            result="已在北渡村22组村道拐角处安装直径80厘米凸面镜一面，同时修剪了遮挡视线的树枝。",
        )  # fmt: skip
        clock.set(at(mirror_day, 8, 50, days=3))
        case = case_actions.verify_case(
            actor=cast.grid_worker(mirror_grid), case=case, ok=True,
            note="现场查看，凸面镜安装牢固，两侧来车看得清清楚楚。",
        )  # fmt: skip
        clock.set(at(mirror_day, 10, 15, days=3))
        case_actions.rate_case(
            actor=dispatcher, case=case, satisfaction=Satisfaction.SATISFIED, by_visit=True,
            comment="王女士表示镜子装好后拐弯心里踏实多了，非常满意。",
        )  # fmt: skip

    def boundary(clock: _Clock) -> None:
        town = _town_of(boundary_grid)
        dispatcher = cast.dispatcher(town)
        worker = cast.grid_worker(boundary_grid)
        clock.set(at(boundary_day, 10, 5))
        case = case_actions.report_case(
            actor=worker, channel=PATROL, text=STORY_BOUNDARY, title="花市街村4组陈、周两户承包地边界纠纷",
            category=categories["dispute"], request_type=HELP, grid=boundary_grid,
            address="石港镇花市街村4组", lat=_point(boundary_grid)[0], lon=_point(boundary_grid)[1],
        )  # fmt: skip
        clock.set(at(boundary_day, 16, 20))
        case = case_actions.escalate_case(
            actor=worker, case=case, reason="双方分歧较大，网格内调解未果，请镇里出面。"
        )
        clock.set(at(boundary_day, 9, 30, days=1))
        case = case_actions.comment_case(
            actor=dispatcher, case=case, public=True,
            text="镇综治中心、司法所同志带案入格，与村调委会一起到花市街村4组田头现场调解。",
        )  # fmt: skip
        clock.set(at(boundary_day, 16, 45, days=1))
        case = case_actions.resolve_in_grid(
            actor=worker, case=case,
            result="在镇司法所和村调委会见证下，双方对照土地确权图重新丈量，恢复界桩，签订调解协议，矛盾在网格内化解。",
        )  # fmt: skip
        clock.set(at(boundary_day, 9, 40, days=3))
        case = case_actions.verify_case(
            actor=dispatcher, case=case, ok=True, note="电话回访双方，协议已履行，界桩未再变动。"
        )
        clock.set(at(boundary_day, 10, 0, days=3))
        case_actions.close_case(actor=dispatcher, case=case, note="格内化解，双方无异议，结案。")

    def road(clock: _Clock) -> None:
        town = _town_of(road_grid)
        dispatcher = cast.dispatcher(town)
        lead = cast.route(categories["road"], road_grid).lead
        handler = cast.handler(lead)
        resident = cast.resident
        clock.set(at(road_day, 19, 40))
        case = case_actions.report_case(
            actor=resident, channel=WEB, text=STORY_ROAD, title="建设路北段路面塌陷",
            category=categories["road"], request_type=HELP, priority=Priority.URGENT, grid=road_grid,
            address="石港镇石西社区建设路北段翠竹新村门口", reporter_name=RESIDENT_NAME,
            reporter_phone=RESIDENT_PHONE, lat=_point(road_grid)[0], lon=_point(road_grid)[1],
        )  # fmt: skip
        clock.set(at(road_day, 19, 48))
        case = case_actions.accept_case(
            actor=dispatcher, case=case, priority=Priority.URGENT, note="路面塌陷，紧急件，立即派遣。"
        )
        clock.set(at(road_day, 19, 53))
        case = dispatch_actions.dispatch_case(
            actor=dispatcher, case=case, lead=lead, note="请立即设置警示并连夜抢修。"
        )
        clock.set(at(road_day, 20, 6))
        case = dispatch_actions.sign_case(actor=handler, case=case)
        clock.set(at(road_day, 20, 40))
        case = case_actions.comment_case(
            actor=handler, case=case, public=True, text="已在坑洞四周设置警示锥和警示灯，施工队正在连夜抢修。"
        )
        clock.set(at(road_day, 5, 35, days=1))
        case = dispatch_actions.resolve_case(
            actor=handler, case=case, result="连夜回填碎石、摊铺沥青，坑洞已修复，早高峰前恢复通行。"
        )
        clock.set(at(road_day, 7, 30, days=1))
        case = case_actions.verify_case(
            actor=cast.grid_worker(road_grid), case=case, ok=True, note="早班巡查，路面平整，已恢复通行。"
        )
        clock.set(at(road_day, 8, 12, days=1))
        case_actions.rate_case(
            actor=resident if resident is not None else dispatcher, case=case,
            satisfaction=Satisfaction.SATISFIED, by_visit=resident is None,
            comment="一觉醒来路就修好了，速度真快，点赞！",
        )  # fmt: skip

    # Accounts first, at their real time.
    for grid in (mirror_grid, boundary_grid, road_grid):
        cast.dispatcher(_town_of(grid))
        cast.grid_worker(grid)
    for grid in (mirror_grid, road_grid):
        cast.handler(cast.route(categories["road"], grid).lead)
    return [
        (STORY_MIRROR, at(mirror_day, 9, 12), mirror),
        (STORY_BOUNDARY, at(boundary_day, 10, 5), boundary),
        (STORY_ROAD, at(road_day, 19, 40), road),
    ]
