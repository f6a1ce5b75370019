from django.urls import URLPattern, URLResolver, path

from gridgov.intake.staff import views

app_name = "staff"
urlpatterns: list[URLPattern | URLResolver] = [
    path("patrol/", views.patrol, name="patrol"),
    path("hotline/", views.hotline, name="hotline"),
    path("suggest/", views.suggest_view, name="suggest"),
]
