"""Early-warning pages under ``/alerts/`` (the command center's "Early warning" tab)."""

from django.urls import path

from gridgov.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/act/<slug:verb>/", views.alert_act, name="act"),
]
