from __future__ import annotations

from rest_framework import serializers

from gridgov.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "body",
            "link",
            "target_type",
            "target_id",
            "data",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields


class InboxQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="1 or true: only the notifications not read yet"
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read")
