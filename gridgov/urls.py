from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gridgov.core import views as core_views

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
    path("geo/", include("gridgov.geo.api.urls")),
    path("dispatch/", include("gridgov.dispatch.api.urls")),
    path("cases/", include("gridgov.cases.api.urls")),
    path("notifications/", include("gridgov.notifications.api.urls")),
    path("alerts/", include("gridgov.alerts.api.urls")),
    path("command/", include("gridgov.command.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gridgov.accounts.urls")),
    path("geo/", include("gridgov.geo.urls")),
    path("cases/", include("gridgov.cases.urls")),
    path("notifications/", include("gridgov.notifications.urls")),
    # Intake channels: the resident page (/r/), staff entry forms, imports and the Open311 GeoReport v2 server.
    path("r/", include("gridgov.intake.resident.urls")),
    path("intake/", include("gridgov.intake.staff.urls")),
    path("intake/import/", include("gridgov.intake.imports.urls")),
    path("open311/v2/", include("gridgov.intake.open311.urls")),
    path("command/", include("gridgov.command.urls")),
    path("alerts/", include("gridgov.alerts.urls")),
    path("dispatch/", include("gridgov.dispatch.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api-v1"))),
]

admin.site.site_header = _("GridGov administration")
admin.site.site_title = _("GridGov")
admin.site.index_title = _("Base data")
