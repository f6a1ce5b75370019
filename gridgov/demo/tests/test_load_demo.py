"""The demo region loads completely, and a second run changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant, User
from gridgov.accounts.permissions import Verb, can
from gridgov.cases.models import Category
from gridgov.core.models import AuditEntry
from gridgov.demo.loader import DEMO_ACCOUNTS, load_demo
from gridgov.dispatch.models import Department, RoutingRule
from gridgov.dispatch.selectors import suggest_route
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.geo.selectors import grid_for_point


def _snapshot() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "departments": Department.objects.count(),
        "rules": RoutingRule.objects.count(),
        "users": User.objects.count(),
        "grants": RoleGrant.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.django_db
def test_demo_loads_and_is_idempotent(capsys):
    call_command("load_demo")
    first = _snapshot()
    output = capsys.readouterr().out
    assert "gridgov-demo" in output
    for account in DEMO_ACCOUNTS:
        assert account.username in output

    assert Area.objects.filter(level=AreaLevel.GRID).count() >= 200
    for name in (
        "石港镇",
        "北渡村",
        "花市街村",
        "石西社区",
        "城港社区",
        "八里庙村社区",
        "狼山社区",
        "海永镇",
        "临江新区",
    ):
        assert Area.objects.filter(name=name).exists(), name

    call_command("load_demo")
    assert _snapshot() == first

    # One account of every role, each able to sign in and scoped as described.
    assert {account.role for account in DEMO_ACCOUNTS} == set(Role.values)
    worker = User.objects.get(username="gridworker")
    assert worker.check_password("gridgov-demo")
    grid = worker.grants.get().area
    assert grid is not None and "北渡村22组" in grid.aliases
    handler = User.objects.get(username="handler")
    assert handler.grants.get().department.name == "石港镇司法所"
    assert User.objects.get(username="admin").is_staff


@pytest.mark.django_db
def test_demo_routing_and_lookup_work_together():
    from gridgov.accounts.actions import ensure_system_user

    load_demo(actor=ensure_system_user(), cases=False)
    beidu_grid = next(g for g in Area.objects.filter(level=AreaLevel.GRID) if "北渡村22组" in g.aliases)
    assert grid_for_point(beidu_grid.centroid_lat, beidu_grid.centroid_lon) == beidu_grid

    road = suggest_route(Category.objects.get(code="road"), beidu_grid)
    assert road is not None and road.lead.name == "石港镇建设办"
    dispute = suggest_route(Category.objects.get(code="dispute"), beidu_grid)
    assert dispute is not None and dispute.lead.name == "石港镇综治中心"
    assert [helper.name for helper in dispute.helpers] == ["石港镇司法所"]
    environment = suggest_route(Category.objects.get(code="environment"), beidu_grid)
    assert environment is not None and environment.lead.name == "通州区生态环境局"

    dispatcher = User.objects.get(username="dispatcher")
    assert can(dispatcher, Verb.DISPATCH_CASE, beidu_grid)
    other_town_grid = (
        Area.objects.filter(level=AreaLevel.GRID)
        .exclude(path__startswith=beidu_grid.parent.parent.path)
        .first()
    )
    assert not can(dispatcher, Verb.DISPATCH_CASE, other_town_grid)


@pytest.mark.django_db
def test_demo_towns_number_their_cases():
    from gridgov.accounts.actions import ensure_system_user
    from gridgov.cases.actions import report_case

    load_demo(actor=ensure_system_user(), cases=False)
    grid = next(g for g in Area.objects.filter(level=AreaLevel.GRID) if "北渡村22组" in g.aliases)
    case = report_case(actor=None, channel="web", text="路口缺少凸面镜", grid=grid)
    assert case.number.startswith("SG-")
