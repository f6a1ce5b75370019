import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts import actions
from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant
from gridgov.accounts.selectors import command_actor, users_with_role
from gridgov.core.masking import mask_id_number, mask_phone
from gridgov.core.models import AuditEntry
from gridgov.testing.factories import DepartmentFactory, UserFactory


@pytest.fixture
def admin_user(db):
    return actions.ensure_system_user()


def test_system_user_is_an_administrator_that_cannot_sign_in(admin_user):
    assert admin_user.grants.filter(role=Role.ADMIN).exists()
    assert not admin_user.has_usable_password()
    assert actions.ensure_system_user() == admin_user
    assert command_actor(None) == admin_user


def test_grid_worker_needs_a_grid(region, admin_user):
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        actions.grant_role(actor=admin_user, user=user, role=Role.GRID_WORKER, area=region.villages[0])
    assert "area" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.grant_role(actor=admin_user, user=user, role=Role.GRID_WORKER)
    assert "area" in error.value.message_dict
    grant = actions.grant_role(actor=admin_user, user=user, role=Role.GRID_WORKER, area=region.grids[0])
    assert grant.area == region.grids[0]


def test_handler_needs_a_department_inside_its_area(region, admin_user):
    user = UserFactory()
    department = DepartmentFactory(area=region.towns[0])
    with pytest.raises(ValidationError) as error:
        actions.grant_role(actor=admin_user, user=user, role=Role.DEPARTMENT_HANDLER)
    assert "department" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.grant_role(
            actor=admin_user,
            user=user,
            role=Role.DEPARTMENT_HANDLER,
            department=department,
            area=region.villages[2],
        )
    assert "area" in error.value.message_dict
    actions.grant_role(
        actor=admin_user,
        user=user,
        role=Role.DEPARTMENT_HANDLER,
        department=department,
        area=region.villages[0],
    )


def test_only_handlers_take_a_department(region, admin_user):
    department = DepartmentFactory(area=region.towns[0])
    with pytest.raises(ValidationError) as error:
        actions.grant_role(
            actor=admin_user,
            user=UserFactory(),
            role=Role.LEADER,
            area=region.towns[0],
            department=department,
        )
    assert "department" in error.value.message_dict


def test_grant_is_idempotent_audited_and_gives_admin_site_access(region, admin_user):
    user = UserFactory()
    before = AuditEntry.objects.count()
    actions.grant_role(actor=admin_user, user=user, role=Role.DISPATCHER, area=region.towns[0])
    actions.grant_role(actor=admin_user, user=user, role=Role.DISPATCHER, area=region.towns[0])
    assert RoleGrant.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.count() == before + 1
    user.refresh_from_db()
    assert user.is_staff
    actions.revoke_role(actor=admin_user, grant=user.grants.get())
    user.refresh_from_db()
    assert not user.is_staff
    assert list(users_with_role(Role.DISPATCHER)) == []


def test_only_administrators_manage_users(region):
    dispatcher = UserFactory()
    RoleGrant.objects.create(user=dispatcher, role=Role.DISPATCHER, area=region.towns[0])
    with pytest.raises(PermissionDenied):
        actions.create_user(actor=dispatcher, username="someone")


def test_update_user_refuses_unknown_fields(admin_user):
    user = actions.create_user(actor=admin_user, username="wang", name="王网格", phone="13812345678")
    actions.update_user(actor=admin_user, user=user, changes={"name": "王小明"})
    user.refresh_from_db()
    assert user.name == "王小明"
    with pytest.raises(ValidationError):
        actions.update_user(actor=admin_user, user=user, changes={"is_superuser": True})
    entry = AuditEntry.objects.filter(verb="update_user").get()
    assert "13812345678" not in str(entry.data)


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("110") == "*10"
    assert mask_id_number("320612199001011234") == "320612********1234"
