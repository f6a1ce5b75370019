"""The area admin: browse and search (aliases too), edit names through the audited action, no adds or deletes."""

from __future__ import annotations

import pytest

from gridgov.core.models import AuditEntry
from gridgov.geo.models import Area

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/geo/area/"


def test_changelist_and_search(client, admin_user, imported_tree):
    client.force_login(admin_user)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "320612101001002" in response.content.decode()

    response = client.get(CHANGELIST, {"q": "22组"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [Area.objects.get(code="320612101001002")]

    response = client.get(CHANGELIST, {"q": "石港"})
    assert [a.code for a in response.context["cl"].result_list] == ["320612101"]


def test_change_goes_through_update_area(client, admin_user, imported_tree):
    client.force_login(admin_user)
    grid = Area.objects.get(code="320612101001001")
    url = f"{CHANGELIST}{grid.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Polygon" in page.content.decode()  # the boundary, read-only

    response = client.post(url, {"name": "北渡村1号网格", "aliases_text": "一组\n\n二组\n"})

    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.name == "北渡村1号网格"
    assert grid.aliases == ["一组", "二组"]
    assert AuditEntry.objects.filter(verb="update_area", target_id=str(grid.pk)).exists()


def test_no_add_or_delete(client, admin_user, imported_tree):
    client.force_login(admin_user)
    grid = Area.objects.get(code="320612101001001")
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.get(f"{CHANGELIST}{grid.pk}/delete/").status_code == 403


def test_staff_without_area_role_cannot_open_it(client, imported_tree, django_user_model):
    staff = django_user_model.objects.create_user(username="clerk", password=None, is_staff=True)
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403
