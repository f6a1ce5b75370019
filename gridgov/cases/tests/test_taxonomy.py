import pytest
from django.utils import translation

from gridgov.cases.choices import RequestType
from gridgov.cases.models import Category
from gridgov.cases.taxonomy import default_taxonomy

EXPECTED_CODES = [
    "road", "sanitation", "water", "dispute", "welfare", "agriculture", "safety", "urban", "utilities",
    "environment", "property", "legal", "market", "health", "public_security", "labor", "education", "other",
]  # fmt: skip


@pytest.mark.django_db
def test_data_migration_loads_the_18_default_categories_in_order():
    assert list(Category.objects.values_list("code", flat=True)) == EXPECTED_CODES
    road = Category.objects.get(code="road")
    assert road.name == "道路交通"
    assert road.sla_working_days == 5
    assert "凸面镜" in road.scope_in
    assert Category.objects.get(code="public_security").sla_working_days == 1
    assert Category.objects.get(code="agriculture").sla_working_days == 2


@pytest.mark.django_db
def test_description_follows_the_language():
    water = Category.objects.get(code="water")
    with translation.override("zh-hans"):
        assert "漂浮垃圾" in water.description
        assert "自来水停水" in water.description
        assert water.display_name == "河道水务"
    with translation.override("en"):
        assert "floating garbage" in water.description
        assert water.display_name == "Rivers and water"


def test_taxonomy_file_is_complete():
    data = default_taxonomy()
    assert [entry["code"] for entry in data["categories"]] == EXPECTED_CODES
    assert data["request_types"] == list(RequestType.values)
    for entry in data["categories"]:
        assert entry["name"] and entry["scope_in"] and entry["scope_in_en"] and entry["sla"] > 0


@pytest.mark.django_db
def test_categories_api_is_public_and_localised(client):
    response = client.get("/api/v1/cases/categories/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 18
    assert body[0]["code"] == "road"
    assert body[0]["display_name"] == "道路交通"
    types = client.get("/api/v1/cases/request-types/").json()
    assert [item["code"] for item in types] == list(RequestType.values)
