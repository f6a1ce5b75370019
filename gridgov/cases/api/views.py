"""Public reads of the taxonomy: residents and Open311 clients see the categories and their descriptions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.cases.api.serializers import CategorySerializer, ChoiceSerializer
from gridgov.cases.choices import RequestType
from gridgov.cases.models import Category


class CategoryList(generics.ListAPIView):
    """Active categories with their scope text in the request's language."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.filter(is_active=True)


class RequestTypeList(APIView):
    """The request types (诉求类型)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ChoiceSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response([{"code": value, "label": str(label)} for value, label in RequestType.choices])
