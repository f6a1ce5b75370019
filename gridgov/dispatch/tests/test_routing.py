import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.dispatch import actions
from gridgov.dispatch.choices import DepartmentKind
from gridgov.dispatch.selectors import departments_serving, suggest_route
from gridgov.testing.factories import UserFactory, category, grant


@pytest.fixture
def setup(region):
    admin = ensure_system_user()
    district_transport = actions.save_department(
        actor=admin,
        code="tz-transport",
        name="通州区交通运输局",
        kind=DepartmentKind.TRANSPORT,
        area=region.district,
    )
    town_construction = actions.save_department(
        actor=admin,
        code="t1-build",
        name="测试镇1建设办",
        kind=DepartmentKind.TRANSPORT,
        area=region.towns[0],
    )
    town2_construction = actions.save_department(
        actor=admin,
        code="t2-build",
        name="测试镇2建设办",
        kind=DepartmentKind.TRANSPORT,
        area=region.towns[1],
    )
    return admin, district_transport, town_construction, town2_construction


def test_deepest_rule_wins(region, setup):
    admin, district_transport, town_construction, _ = setup
    road = category("road")
    actions.save_routing_rule(actor=admin, category=road, area=region.district, lead=district_transport)
    actions.save_routing_rule(
        actor=admin, category=road, area=region.towns[0], lead=town_construction, helpers=[district_transport]
    )
    in_town1 = suggest_route(road, region.grids[0])
    assert in_town1 is not None
    assert in_town1.lead == town_construction
    assert in_town1.helpers == [district_transport]
    in_town2 = suggest_route(road, region.grids[-1])
    assert in_town2 is not None and in_town2.lead == district_transport
    assert suggest_route(category("water"), region.grids[0]) is None


def test_inactive_lead_is_skipped(region, setup):
    admin, district_transport, town_construction, _ = setup
    road = category("road")
    actions.save_routing_rule(actor=admin, category=road, area=region.district, lead=district_transport)
    actions.save_routing_rule(actor=admin, category=road, area=region.towns[0], lead=town_construction)
    actions.save_department(
        actor=admin,
        code="t1-build",
        name="测试镇1建设办",
        kind=DepartmentKind.TRANSPORT,
        area=region.towns[0],
        is_active=False,
    )
    suggestion = suggest_route(road, region.grids[0])
    assert suggestion is not None and suggestion.lead == district_transport


def test_lead_must_serve_the_rule_area(region, setup):
    admin, _, _, town2_construction = setup
    with pytest.raises(ValidationError) as error:
        actions.save_routing_rule(
            actor=admin, category=category("road"), area=region.towns[0], lead=town2_construction
        )
    assert "lead" in error.value.message_dict


def test_saving_a_rule_twice_replaces_it(region, setup):
    admin, district_transport, town_construction, _ = setup
    road = category("road")
    actions.save_routing_rule(actor=admin, category=road, area=region.towns[0], lead=district_transport)
    rule = actions.save_routing_rule(actor=admin, category=road, area=region.towns[0], lead=town_construction)
    assert road.routing_rules.count() == 1
    assert rule.lead == town_construction


def test_dispatcher_edits_rules_of_their_own_area_only(region, setup):
    _, district_transport, town_construction, town2_construction = setup
    dispatcher = UserFactory()
    grant(dispatcher, Role.DISPATCHER, area=region.towns[0])
    actions.save_routing_rule(
        actor=dispatcher, category=category("road"), area=region.towns[0], lead=town_construction
    )
    with pytest.raises(PermissionDenied):
        actions.save_routing_rule(
            actor=dispatcher, category=category("road"), area=region.towns[1], lead=town2_construction
        )
    with pytest.raises(PermissionDenied):
        actions.save_routing_rule(
            actor=dispatcher, category=category("road"), area=None, lead=district_transport
        )


def test_no_department_on_a_grid(region, setup):
    admin = setup[0]
    with pytest.raises(ValidationError):
        actions.save_department(
            actor=admin, code="x", name="x", kind=DepartmentKind.OTHER, area=region.grids[0]
        )


def test_departments_serving_a_grid(region, setup):
    _, district_transport, town_construction, _ = setup
    assert set(departments_serving(region.grids[0])) == {district_transport, town_construction}
