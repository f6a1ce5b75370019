"""Pages of the dispatch app under ``/dispatch/``: coordination (联动指挥) in the command center."""

from django.urls import path

from gridgov.dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("coordination/", views.coordination, name="coordination"),
    path("coordination/<int:case_id>/", views.coordinate, name="coordinate"),
    path("coordination/<int:case_id>/part/", views.helper_part, name="part"),
]
