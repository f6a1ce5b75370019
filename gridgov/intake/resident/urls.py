"""The resident pages, mounted at /r/ (see ``views`` for what each one is)."""

from django.urls import URLPattern, URLResolver, path

from gridgov.intake.resident import views

app_name = "resident"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report, name="report"),
    path("nearby/", views.nearby, name="nearby"),
    path("done/<str:secret>/", views.done, name="done"),
    path("t/<str:secret>/", views.track, name="track"),
    path("t/<str:secret>/rate/", views.rate, name="rate"),
    path("t/<str:secret>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("f/<str:token>/", views.follow, name="follow"),
    path("find/", views.find, name="find"),
]
