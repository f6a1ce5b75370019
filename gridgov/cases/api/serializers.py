from __future__ import annotations

from rest_framework import serializers

from gridgov.cases.models import Category


class CategorySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "name_en",
            "display_name",
            "description",
            "sla_working_days",
            "default_department",
        ]
        read_only_fields = fields


class ChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label, on purpose
