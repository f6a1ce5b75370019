import pytest


@pytest.mark.django_db
def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/cases/{number}/dispatch/" in out.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_api_docs_page_uses_no_cdn(admin_client):
    html = admin_client.get("/api/v1/docs/").content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
