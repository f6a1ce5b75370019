from __future__ import annotations

from rest_framework import serializers

from gridgov.dispatch.models import Department


class DepartmentSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "area_code", "area_name", "phone", "is_active"]
        read_only_fields = fields


class RouteQuerySerializer(serializers.Serializer):
    category = serializers.SlugField(help_text="Category code, e.g. road")
    area = serializers.CharField(help_text="Area code (usually the grid of the case)")


class RouteSuggestionSerializer(serializers.Serializer):
    lead = DepartmentSerializer()
    helpers = DepartmentSerializer(many=True)
    rule_area = serializers.CharField(allow_null=True)
