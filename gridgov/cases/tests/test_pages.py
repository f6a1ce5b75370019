import pytest
from django.conf import settings


@pytest.mark.django_db
def test_categories_page_shows_every_scope_in_chinese(client):
    response = client.get("/cases/categories/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="category-') == 18
    assert "道路交通" in html and "凸面镜" in html
    assert "河道、池塘里的垃圾（河道水务）" in html  # where the boundary case goes
    assert "5个工作日" in html
    assert "诉求类型" in html


@pytest.mark.django_db
def test_categories_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/cases/categories/").content.decode()
    assert "Rivers and water" in html
    assert "garbage in rivers or ponds (water)" in html
    assert "5 working days" in html and "1 working day<" in html
