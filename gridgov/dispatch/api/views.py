"""Departments and routing suggestions for dispatchers and other staff."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.accounts.permissions import Verb, require, scope_q
from gridgov.cases.models import Category
from gridgov.dispatch.api.serializers import (
    DepartmentSerializer,
    RouteQuerySerializer,
    RouteSuggestionSerializer,
)
from gridgov.dispatch.models import Department
from gridgov.dispatch.selectors import suggest_route
from gridgov.geo.models import Area


class DepartmentList(generics.ListAPIView):
    """Departments serving the areas the user may view."""

    serializer_class = DepartmentSerializer

    def get_queryset(self) -> QuerySet[Department]:
        visible = scope_q(self.request.user, Verb.VIEW_AREA, area_path_field="area__path")
        return Department.objects.filter(visible).select_related("area").order_by("area__path", "name")


class RouteSuggestionView(APIView):
    """The lead and helper departments the routing rules suggest for a category at an area."""

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, required=True),
            OpenApiParameter("area", str, required=True),
        ],
        responses=RouteSuggestionSerializer,
    )
    def get(self, request: Request) -> Response:
        query = RouteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        category = get_object_or_404(Category, code=query.validated_data["category"])
        area = get_object_or_404(Area, code=query.validated_data["area"])
        require(request.user, Verb.DISPATCH_CASE, area)
        suggestion = suggest_route(category, area)
        if suggestion is None:
            raise NotFound(_("No routing rule applies; dispatch by hand."))
        return Response(
            RouteSuggestionSerializer(
                {
                    "lead": suggestion.lead,
                    "helpers": suggestion.helpers,
                    "rule_area": suggestion.rule.area.code
                    if suggestion.rule and suggestion.rule.area
                    else None,
                }
            ).data
        )
