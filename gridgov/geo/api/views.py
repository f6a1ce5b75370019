"""Geo API: grid boundaries for maps (public) and "which grid is this point in" (signed-in users)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.geo.api.serializers import (
    FeatureCollectionSerializer,
    LookupQuerySerializer,
    LookupResultSerializer,
    MapQuerySerializer,
)
from gridgov.geo.geometry import to_wgs84
from gridgov.geo.models import Area
from gridgov.geo.selectors import ancestors, areas_geojson, grid_for_point


def _brief(area: Area) -> dict[str, str]:
    return {"code": area.code, "name": area.name, "level": area.level}


class AreaMapView(APIView):
    """Area boundaries as a GeoJSON FeatureCollection for the map.

    Public: boundaries, codes and names of areas are public information and carry no personal data.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[MapQuerySerializer],
        responses={200: FeatureCollectionSerializer},
        summary="Area boundaries (GeoJSON)",
    )
    def get(self, request: Request) -> Response:
        query = MapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        within = None
        code = query.validated_data.get("within")
        if code:
            within = Area.objects.filter(code=code, is_active=True).first()
            if within is None:
                raise ValidationError({"within": [_("No area with code %(code)s.") % {"code": code}]})
        return Response(areas_geojson(level=query.validated_data.get("level"), within=within))


class GridLookupView(APIView):
    """The grid (and its ancestors) covering a point; 404 when the point lies outside every grid."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[LookupQuerySerializer],
        responses={200: LookupResultSerializer},
        summary="Grid of a point",
    )
    def get(self, request: Request) -> Response:
        query = LookupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lon, system = (query.validated_data[key] for key in ("lat", "lon", "system"))
        grid = grid_for_point(lat, lon, system=system)
        if grid is None:
            raise NotFound(_("The point lies outside every grid."))
        wgs_lat, wgs_lon = to_wgs84(lat, lon, system)
        return Response(
            {
                "grid": _brief(grid),
                "ancestors": [_brief(area) for area in ancestors(grid)],
                "wgs84": {"lat": wgs_lat, "lon": wgs_lon},
            }
        )
