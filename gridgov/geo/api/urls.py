from django.urls import path

from gridgov.geo.api import views

urlpatterns = [
    path("map/", views.AreaMapView.as_view(), name="geo-map"),
    path("lookup/", views.GridLookupView.as_view(), name="geo-lookup"),
]
