"""Geo API: public map data, grid lookup for signed-in users, the one error shape, a clean schema."""

from __future__ import annotations

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from gridgov.geo.geometry import CoordSystem, from_wgs84

pytestmark = pytest.mark.django_db

MAP = "/api/v1/geo/map/"
LOOKUP = "/api/v1/geo/lookup/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_map_is_public(api, imported_tree):
    response = api.get(MAP, {"level": "grid"})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == ["320612101001001", "320612101001002"]
    assert body["features"][0]["geometry"]["type"] == "Polygon"
    assert set(body["features"][0]["properties"]) == {"code", "name", "level", "parent_code"}


def test_map_within_an_area(api, imported_tree):
    response = api.get(MAP, {"within": "320612101"})
    assert [f["properties"]["code"] for f in response.json()["features"]] == [
        "320612101",
        "320612101001",
        "320612101001001",
        "320612101001002",
    ]


def test_map_rejects_unknown_area_and_level(api, imported_tree):
    response = api.get(MAP, {"within": "999999"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "within" in response.json()["error"]["fields"]
    response = api.get(MAP, {"level": "province"})
    assert response.status_code == 400
    assert "level" in response.json()["error"]["fields"]


def test_lookup_needs_a_signed_in_user(api, imported_tree):
    response = api.get(LOOKUP, {"lat": 32.01, "lon": 120.905})
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_lookup_returns_the_grid_and_its_ancestors(api, imported_tree, plain_user):
    api.force_authenticate(plain_user)
    lat, lon = from_wgs84(32.01, 120.905, CoordSystem.GCJ02)
    response = api.get(LOOKUP, {"lat": lat, "lon": lon, "system": "gcj02"})
    assert response.status_code == 200
    body = response.json()
    assert body["grid"] == {"code": "320612101001001", "name": "北渡村一网格", "level": "grid"}
    assert [a["code"] for a in body["ancestors"]] == ["320600", "320612", "320612101", "320612101001"]
    assert body["wgs84"]["lat"] == pytest.approx(32.01, abs=1e-6)
    assert body["wgs84"]["lon"] == pytest.approx(120.905, abs=1e-6)


def test_lookup_outside_every_grid_is_404(api, imported_tree, plain_user):
    api.force_authenticate(plain_user)
    response = api.get(LOOKUP, {"lat": 31.5, "lon": 120.5})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["message"]


def test_lookup_validates_its_parameters(api, plain_user):
    api.force_authenticate(plain_user)
    response = api.get(LOOKUP, {"lat": 132.0, "lon": 120.9, "system": "mars"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"lat", "system"}


def test_schema_builds_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/geo/", include("gridgov.geo.api.urls"))])
    schema = generator.get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
    assert {"/api/v1/geo/map/", "/api/v1/geo/lookup/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/geo/lookup/"]["get"]["parameters"]}
    assert parameters == {"lat", "lon", "system"}
