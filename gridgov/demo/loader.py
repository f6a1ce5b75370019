"""Load the Nantong demo region: areas and grids, each town's departments, routing rules and one account per role.

Idempotent: every step creates what is missing and leaves what is already there as it is, so a second run
changes nothing (no rows, no audit entries). Boundaries, place names below the district and codes below the
district are illustrative, drawn near the real places of the project's origin story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.accounts import actions as account_actions
from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.cases.models import Category
from gridgov.demo.cases import DemoCases, load_demo_cases
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.choices import DepartmentKind as K
from gridgov.dispatch.models import Department
from gridgov.geo import actions as geo_actions
from gridgov.geo.choices import AreaLevel
from gridgov.geo.index import invalidate_grid_index
from gridgov.geo.models import Area

REGION_FILE = Path(__file__).resolve().parent.parent / "geo" / "data" / "demo_region.geojson"

#: The password of every demo account. Demo only: change or disable these accounts on a real installation.
DEMO_PASSWORD = "gridgov-demo"  # noqa: S105

#: Departments of every town or street: (code suffix, name suffix, kind). Streets have no farm office.
TOWN_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("command", "指挥中心", K.COMMAND),
    ("zongzhi", "综治中心", K.COMPREHENSIVE),
    ("sifasuo", "司法所", K.JUSTICE),
    ("fxgzz", "法学工作站", K.LEGAL),
    ("jianshe", "建设办", K.TRANSPORT),
    ("chengguan", "城管中队", K.URBAN),
    ("huanwei", "环卫所", K.SANITATION),
    ("shuili", "水利站", K.WATER),
    ("minzheng", "民政办", K.CIVIL_AFFAIRS),
    ("nongye", "农业农村服务中心", K.AGRICULTURE),
    ("yingji", "应急管理办", K.EMERGENCY),
    ("guangdian", "广电站", K.UTILITIES),
    ("gongdian", "供电所", K.UTILITIES),
    ("shichang", "市场监管所", K.MARKET),
    ("weisheng", "卫生院", K.HEALTH),
    ("paichusuo", "派出所", K.POLICE),
    ("laodong", "劳动保障所", K.LABOR),
]

#: Bureaus of every district.
DISTRICT_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("command", "社会治理现代化指挥中心", K.COMMAND),
    ("jiaotong", "交通运输局", K.TRANSPORT),
    ("chengguan", "城市管理局", K.URBAN),
    ("shuili", "水利局", K.WATER),
    ("nongye", "农业农村局", K.AGRICULTURE),
    ("yingji", "应急管理局", K.EMERGENCY),
    ("shengtai", "生态环境局", K.ENVIRONMENT),
    ("zhujian", "住房和城乡建设局", K.HOUSING),
    ("renshe", "人力资源和社会保障局", K.LABOR),
    ("jiaoyu", "教育体育局", K.EDUCATION),
    ("weijian", "卫生健康委员会", K.HEALTH),
    ("shichang", "市场监督管理局", K.MARKET),
    ("minzheng", "民政局", K.CIVIL_AFFAIRS),
    ("sifa", "司法局", K.JUSTICE),
]

#: Category → (kind of the town department that leads, kinds of helpers, kind of the district fallback lead).
ROUTES: dict[str, tuple[str | None, list[str], str]] = {
    "road": (K.TRANSPORT, [], K.TRANSPORT),
    "sanitation": (K.SANITATION, [], K.URBAN),
    "water": (K.WATER, [], K.WATER),
    "dispute": (K.COMPREHENSIVE, [K.JUSTICE], K.JUSTICE),
    "welfare": (K.CIVIL_AFFAIRS, [], K.CIVIL_AFFAIRS),
    "agriculture": (K.AGRICULTURE, [], K.AGRICULTURE),
    "safety": (K.EMERGENCY, [], K.EMERGENCY),
    "urban": (K.URBAN, [], K.URBAN),
    "utilities": (K.UTILITIES, [], K.COMMAND),
    "environment": (None, [], K.ENVIRONMENT),
    "property": (None, [], K.HOUSING),
    "legal": (K.LEGAL, [K.JUSTICE], K.JUSTICE),
    "market": (K.MARKET, [], K.MARKET),
    "health": (K.HEALTH, [], K.HEALTH),
    "public_security": (K.POLICE, [], K.COMMAND),
    "labor": (K.LABOR, [], K.LABOR),
    "education": (None, [], K.EDUCATION),
    "other": (K.COMMAND, [], K.COMMAND),
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    area_name: str | None = None  # the area of the grant, found by name (or by grid alias)
    department: str | None = None  # "town name/code suffix" of the department
    description: str | Promise = ""


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        "admin", "系统管理员", Role.ADMIN, description=_("administrator: base data, users, calendar")
    ),
    DemoAccount(
        "dispatcher",
        "石港镇指挥中心坐席",
        Role.DISPATCHER,
        "石港镇",
        description=_("dispatcher of the 石港镇 command center"),
    ),
    DemoAccount(
        "district",
        "通州区指挥中心坐席",
        Role.DISPATCHER,
        "通州区",
        description=_("dispatcher of the 通州区 command center"),
    ),
    DemoAccount(
        "gridworker",
        "北渡村网格员",
        Role.GRID_WORKER,
        "北渡村22组",
        description=_("grid worker of the grid of 北渡村22组"),
    ),
    DemoAccount(
        "gridchief", "北渡村网格长", Role.GRID_CHIEF, "北渡村", description=_("grid chief of 北渡村")
    ),
    DemoAccount(
        "handler",
        "石港镇司法所",
        Role.DEPARTMENT_HANDLER,
        department="石港镇/sifasuo",
        description=_("handler in 石港镇司法所"),
    ),
    DemoAccount(
        "leader", "石港镇分管领导", Role.LEADER, "石港镇", description=_("leader supervising 石港镇")
    ),
    DemoAccount("volunteer", "志愿者", Role.VOLUNTEER, "石港镇", description=_("volunteer in 石港镇")),
    DemoAccount("resident", "居民", Role.RESIDENT, description=_("resident")),
]


@dataclass
class DemoReport:
    areas: dict[str, int] = field(default_factory=dict)
    departments: int = 0
    routing_rules: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    cases: DemoCases = field(default_factory=DemoCases)


def load_demo(*, actor: User, cases: bool = True) -> DemoReport:
    """Load (or complete) the demo region and, with ``cases``, its demo cases. Safe to run any number of times."""
    report = DemoReport()
    with transaction.atomic():
        geo_actions.import_areas(
            actor=actor, text=REGION_FILE.read_text(encoding="utf-8"), source_name=REGION_FILE.name
        )
        for level in AreaLevel.values:
            report.areas[level] = Area.objects.filter(level=level).count()
        _load_case_prefixes(actor)
        _load_departments(actor)
        _load_routing(actor)
        _load_accounts(actor)
        report.departments = Department.objects.count()
        report.routing_rules = sum(category.routing_rules.count() for category in Category.objects.all())
        report.accounts = DEMO_ACCOUNTS
    if cases:
        # The import tells every process to rebuild its grid index when it commits; when the demo is loaded
        # inside an outer transaction (tests) that is later, so this process rebuilds now, from what it sees.
        invalidate_grid_index()
        # After the region's transaction: the cases are written one transaction per case (see demo.cases).
        report.cases = load_demo_cases(actor=actor)
    return report


#: Case number prefixes of the demo towns (SG-20260514-0007 is a 石港镇 case).
CASE_PREFIXES = {
    "石港镇": "SG",
    "金新街道": "JX",
    "任港街道": "RG",
    "秦灶街道": "QZ",
    "虹桥街道": "HQ",
    "狼山镇街道": "LS",
    "海永镇": "HY",
    "临江新区": "LJ",
}


def _load_case_prefixes(actor: User) -> None:
    for town in Area.objects.filter(level=AreaLevel.TOWN, name__in=CASE_PREFIXES):
        geo_actions.update_area(
            actor=actor, area=town, name=town.name, aliases=town.aliases, case_prefix=CASE_PREFIXES[town.name]
        )


def _department_code(area: Area, suffix: str) -> str:
    return f"{area.code}-{suffix}"


def _load_departments(actor: User) -> None:
    for district in Area.objects.filter(level=AreaLevel.DISTRICT):
        for suffix, name, kind in DISTRICT_DEPARTMENTS:
            dispatch_actions.save_department(
                actor=actor,
                code=_department_code(district, suffix),
                name=f"{district.name}{name}",
                kind=kind,
                area=district,
            )
    for town in Area.objects.filter(level=AreaLevel.TOWN):
        is_street = town.name.endswith("街道") or town.name.endswith("新区")
        for suffix, name, kind in TOWN_DEPARTMENTS:
            if is_street and kind == K.AGRICULTURE:
                continue
            dispatch_actions.save_department(
                actor=actor,
                code=_department_code(town, suffix),
                name=f"{town.name}{name}",
                kind=kind,
                area=town,
            )


def _first_of_kind(area: Area, kind: str) -> Department | None:
    return Department.objects.filter(area=area, kind=kind, is_active=True).order_by("code").first()


def _load_routing(actor: User) -> None:
    categories = {category.code: category for category in Category.objects.all()}
    for district in Area.objects.filter(level=AreaLevel.DISTRICT):
        for code, (_town_kind, _helpers, district_kind) in ROUTES.items():
            lead = _first_of_kind(district, district_kind)
            if lead is not None and code in categories:
                dispatch_actions.save_routing_rule(
                    actor=actor, category=categories[code], area=district, lead=lead
                )
    for town in Area.objects.filter(level=AreaLevel.TOWN):
        for code, (town_kind, helper_kinds, _district_kind) in ROUTES.items():
            lead = _first_of_kind(town, town_kind) if town_kind else None
            if lead is None or code not in categories:
                continue  # the district's rule applies
            helpers = [helper for kind in helper_kinds if (helper := _first_of_kind(town, kind)) is not None]
            dispatch_actions.save_routing_rule(
                actor=actor, category=categories[code], area=town, lead=lead, helpers=helpers
            )


def _find_area(name: str) -> Area:
    area = Area.objects.filter(name=name).order_by("path").first()
    if area is not None:
        return area
    for grid in Area.objects.filter(level=AreaLevel.GRID).order_by("path"):
        if name in grid.aliases:
            return grid
    raise LookupError(f"demo area {name!r} not found")


def _load_accounts(actor: User) -> None:
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = account_actions.create_user(
                actor=actor, username=account.username, name=account.name, password=DEMO_PASSWORD
            )
        area = _find_area(account.area_name) if account.area_name else None
        department = None
        if account.department:
            town_name, suffix = account.department.split("/")
            department = Department.objects.get(code=_department_code(_find_area(town_name), suffix))
        account_actions.grant_role(
            actor=actor, user=user, role=account.role, area=area, department=department
        )
