from django.urls import URLPattern, URLResolver

app_name = "resident"
urlpatterns: list[URLPattern | URLResolver] = []
