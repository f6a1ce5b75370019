from django.urls import path

from gridgov.command.api import views

urlpatterns = [
    path("summary/", views.CommandSummary.as_view(), name="command-summary"),
    path("accountability/", views.CommandAccountability.as_view(), name="command-accountability"),
    path("alerts/", views.CommandAlerts.as_view(), name="command-alerts"),
]
