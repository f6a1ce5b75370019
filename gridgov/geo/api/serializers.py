"""Shapes of the geo API: query parameters and the documented form of its answers."""

from __future__ import annotations

from rest_framework import serializers

from gridgov.geo.choices import AreaLevel
from gridgov.geo.geometry import CoordSystem


class MapQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AreaLevel.choices, required=False, help_text="Only this level")
    within = serializers.CharField(
        required=False, max_length=32, help_text="Only this area's subtree (a code)"
    )


class LookupQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude")
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude")
    system = serializers.ChoiceField(
        choices=CoordSystem.choices,
        default=CoordSystem.WGS84,
        help_text="Coordinate system of lat/lon: wgs84 (GPS), gcj02 (AMap, Tencent) or bd09 (Baidu)",
    )


class AreaBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AreaLevel.choices)


class PointSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class LookupResultSerializer(serializers.Serializer):
    grid = AreaBriefSerializer()
    ancestors = AreaBriefSerializer(many=True, help_text="From the root (city) down to the grid's village")
    wgs84 = PointSerializer(help_text="The point converted to WGS-84")


class FeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AreaLevel.choices)
    parent_code = serializers.CharField(allow_null=True)


class FeatureSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    properties = FeaturePropertiesSerializer()
    geometry = serializers.JSONField(help_text="GeoJSON Polygon or MultiPolygon, WGS-84")


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = FeatureSerializer(many=True)
