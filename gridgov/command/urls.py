"""Command-center pages under ``/command/``; each concept's module declares its own routes."""

from django.urls import include, path

from gridgov.command.views import accountability, analysis, overview, reports

app_name = "command"

urlpatterns = [
    path("", include(overview)),
    path("analysis/", include(analysis)),
    path("accountability/", include(accountability)),
    path("reports/", include(reports)),
]
