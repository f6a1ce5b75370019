"""The permission policy as a full matrix: every role × in/out of scope × every verb.

The expected sets are written out here by hand (not derived from POLICY) so that a change of policy is a
deliberate change of this table too.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from gridgov.accounts.choices import Role
from gridgov.accounts.permissions import Verb, can, can_somewhere, scope_q
from gridgov.core.scope import Scope
from gridgov.geo.models import Area
from gridgov.testing.factories import DepartmentFactory, UserFactory, grant

V = Verb

IN_SCOPE: dict[str, set[Verb]] = {
    Role.RESIDENT: {V.REPORT_CASE, V.VIEW_CASE, V.RATE_CASE, V.VIEW_PERSONAL_DATA},
    Role.GRID_WORKER: {
        V.VIEW_AREA, V.REPORT_CASE, V.VIEW_CASE, V.RESOLVE_IN_GRID, V.ESCALATE_CASE, V.VERIFY_CASE,
        V.COMMENT_CASE, V.VIEW_PERSONAL_DATA, V.CLAIM_WISH,
    },
    Role.GRID_CHIEF: {
        V.VIEW_AREA, V.REPORT_CASE, V.VIEW_CASE, V.RESOLVE_IN_GRID, V.ESCALATE_CASE, V.VERIFY_CASE,
        V.COMMENT_CASE, V.VIEW_PERSONAL_DATA, V.VIEW_ANALYSIS,
    },
    Role.DISPATCHER: {
        V.VIEW_AREA, V.MANAGE_ROUTING, V.REPORT_CASE, V.VIEW_CASE, V.ACCEPT_CASE, V.DISPATCH_CASE,
        V.ESCALATE_CASE, V.VERIFY_CASE, V.APPROVE_CASE, V.URGE_CASE, V.RATE_CASE, V.COMMENT_CASE,
        V.VIEW_PERSONAL_DATA, V.VIEW_ANALYSIS,
    },
    Role.DEPARTMENT_HANDLER: {V.VIEW_AREA, V.VIEW_CASE, V.HANDLE_CASE, V.COMMENT_CASE, V.VIEW_PERSONAL_DATA},
    Role.LEADER: {
        V.VIEW_AREA, V.REPORT_CASE, V.VIEW_CASE, V.APPROVE_CASE, V.SUPERVISE_CASE, V.URGE_CASE,
        V.COMMENT_CASE, V.VIEW_ANALYSIS,
    },
    Role.VOLUNTEER: {V.VIEW_AREA, V.REPORT_CASE, V.CLAIM_WISH},
    Role.ADMIN: {
        V.VIEW_AREA, V.MANAGE_AREAS, V.MANAGE_DEPARTMENTS, V.MANAGE_ROUTING, V.MANAGE_TAXONOMY,
        V.MANAGE_USERS, V.MANAGE_CALENDAR, V.VIEW_AUDIT,
    },
}  # fmt: skip

OUT_OF_SCOPE: dict[str, set[Verb]] = {
    Role.RESIDENT: {V.REPORT_CASE},
    Role.GRID_WORKER: set(),
    Role.GRID_CHIEF: set(),
    Role.DISPATCHER: set(),
    Role.DEPARTMENT_HANDLER: set(),
    Role.LEADER: set(),
    Role.VOLUNTEER: {V.REPORT_CASE, V.CLAIM_WISH},
    Role.ADMIN: IN_SCOPE[Role.ADMIN],
}


@pytest.fixture
def people(region):
    """One user per role, all scoped inside town 1 / village 1-1 / grid 1-1-1."""
    town, village, grid = region.towns[0], region.villages[0], region.grids[0]
    department = DepartmentFactory(area=town, name="测试镇1司法所")
    users = {}
    scopes = {
        Role.RESIDENT: {},
        Role.GRID_WORKER: {"area": grid},
        Role.GRID_CHIEF: {"area": village},
        Role.DISPATCHER: {"area": town},
        Role.DEPARTMENT_HANDLER: {"department": department},
        Role.LEADER: {"area": town},
        Role.VOLUNTEER: {"area": village},
        Role.ADMIN: {},
    }
    for role, scope in scopes.items():
        user = UserFactory(username=f"u-{role}")
        grant(user, role, **scope)
        users[role] = user
    return users, department


def _targets(region, people):
    users, department = people
    other_department = DepartmentFactory(area=region.towns[1], name="测试镇2司法所")
    inside = Scope(
        area_path=region.grids[0].path,
        department_ids=frozenset({department.pk}),
        owner_id=users[Role.RESIDENT].pk,
    )
    outside = Scope(
        area_path=region.grids[-1].path,  # another town
        department_ids=frozenset({other_department.pk}),
        owner_id=None,
    )
    return inside, outside


@pytest.mark.parametrize("role", list(Role))
def test_every_role_and_verb_in_and_out_of_scope(region, people, role):
    users, _ = people
    inside, outside = _targets(region, people)
    user = users[role]
    allowed_in = {verb for verb in Verb if can(user, verb, inside)}
    allowed_out = {verb for verb in Verb if can(user, verb, outside)}
    assert allowed_in == IN_SCOPE[role]
    assert allowed_out == OUT_OF_SCOPE[role]


def test_matrix_covers_every_role():
    assert set(IN_SCOPE) == set(Role.values) == set(OUT_OF_SCOPE)


def test_grid_worker_cannot_read_another_grid_of_the_same_village(region, people):
    users, _ = people
    worker = users[Role.GRID_WORKER]
    neighbour_grid = region.grids[1]
    assert neighbour_grid.parent_id == region.grids[0].parent_id
    assert can(worker, Verb.VIEW_CASE, Scope(area_path=region.grids[0].path))
    assert not can(worker, Verb.VIEW_CASE, Scope(area_path=neighbour_grid.path))
    assert not can(worker, Verb.VIEW_PERSONAL_DATA, Scope(area_path=neighbour_grid.path))
    assert not can(worker, Verb.VIEW_AREA, neighbour_grid)
    assert can(worker, Verb.VIEW_AREA, region.grids[0])


def test_grid_worker_cannot_act_on_the_village_itself(region, people):
    users, _ = people
    assert not can(users[Role.GRID_WORKER], Verb.VIEW_AREA, region.villages[0])
    assert can(users[Role.GRID_CHIEF], Verb.VIEW_AREA, region.villages[0])


def test_handler_limited_to_an_area_sees_only_that_area(region, people):
    _, department = people
    handler = UserFactory(username="limited-handler")
    grant(handler, Role.DEPARTMENT_HANDLER, area=region.villages[1], department=department)
    in_village = Scope(area_path=region.grids[2].path, department_ids=frozenset({department.pk}))
    other_village = Scope(area_path=region.grids[0].path, department_ids=frozenset({department.pk}))
    assert can(handler, Verb.HANDLE_CASE, in_village)
    assert not can(handler, Verb.HANDLE_CASE, other_village)


def test_handler_needs_the_department_not_just_the_area(region, people):
    users, _ = people
    same_area_other_department = Scope(area_path=region.grids[0].path, department_ids=frozenset({999_999}))
    assert not can(users[Role.DEPARTMENT_HANDLER], Verb.HANDLE_CASE, same_area_other_department)


def test_district_dispatcher_covers_all_towns(region):
    dispatcher = UserFactory(username="district-dispatcher")
    grant(dispatcher, Role.DISPATCHER, area=region.district)
    assert all(can(dispatcher, Verb.DISPATCH_CASE, grid) for grid in region.grids)


def test_anonymous_and_inactive_users_may_do_nothing(region, people):
    users, _ = people
    inside, _ = _targets(region, people)
    dispatcher = users[Role.DISPATCHER]
    dispatcher.is_active = False
    for verb in Verb:
        assert not can(AnonymousUser(), verb, inside)
        assert not can(None, verb, inside)
        assert not can(dispatcher, verb, inside)


def test_superuser_without_grant_is_an_administrator_only(db):
    root = UserFactory(username="root", is_superuser=True)
    assert can(root, Verb.MANAGE_AREAS)
    assert not can(root, Verb.VIEW_CASE, Scope(area_path="/320600/"))


def test_a_user_with_two_grids_sees_both(region):
    worker = UserFactory(username="two-grids")
    grant(worker, Role.GRID_WORKER, area=region.grids[0])
    grant(worker, Role.GRID_WORKER, area=region.grids[3])
    visible = [grid for grid in region.grids if can(worker, Verb.VIEW_CASE, grid)]
    assert visible == [region.grids[0], region.grids[3]]


@pytest.mark.parametrize("role", list(Role))
def test_list_filter_agrees_with_can(region, people, role):
    users, _ = people
    user = users[role]
    for verb in (Verb.VIEW_AREA, Verb.VIEW_CASE, Verb.DISPATCH_CASE):
        listed = set(
            Area.objects.filter(scope_q(user, verb, area_path_field="path")).values_list("code", flat=True)
        )
        allowed = {area.code for area in Area.objects.all() if can(user, verb, area)}
        assert listed == allowed, (role, verb)


def test_can_somewhere(people):
    users, _ = people
    assert can_somewhere(users[Role.DISPATCHER], Verb.MANAGE_ROUTING)
    assert not can_somewhere(users[Role.GRID_WORKER], Verb.MANAGE_ROUTING)
