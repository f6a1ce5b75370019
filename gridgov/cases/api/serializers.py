"""Serializers of the cases API: read shapes of a case, its timeline and taxonomy, and one small input
serializer per verb. Input serializers only parse and validate the request; the actions do the work (status is
never writable here)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.cases.choices import Channel, Priority, RequestType, Satisfaction
from gridgov.cases.models import Case, CaseEvent, CasePhoto, Category, TimeRequest
from gridgov.core.masking import mask_phone
from gridgov.dispatch.models import Assignment, Department
from gridgov.geo.models import Area

#: Channels staff report through the API; residents' public intake comes through ``intake`` (a later issue).
STAFF_CHANNELS = [Channel.HOTLINE, Channel.GRID_WORKER, Channel.STAFF]
COORD_SYSTEMS = ["wgs84", "gcj02", "bd09"]
MAX_PHOTOS = 9


def mask_name(name: str) -> str:
    """``王阿姨`` → ``王**``: the family name stays, so staff can address the person politely."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


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


# --- Errors (for the schema: the shape core.api.exception_handler produces) --------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]  # the error shape's key, on purpose
        child=serializers.ListField(child=serializers.CharField())
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- Reading a case ----------------------------------------------------------------------------------------------


class CategoryRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name"]
        read_only_fields = fields


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name", "level"]
        read_only_fields = fields


class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    # A plain string, so the schema keeps one "status" enum (the case's): pending, signed, resolved, returned,
    # cancelled.
    status = serializers.CharField(
        read_only=True, help_text="pending, signed, resolved, returned or cancelled"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "department",
            "role",
            "role_label",
            "status",
            "status_label",
            "sign_by",
            "signed_at",
            "finished_at",
            "note",
        ]
        read_only_fields = fields


class TimeRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.display_name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="pending, approved or denied")

    class Meta:
        model = TimeRequest
        fields = ["id", "kind", "days", "reason", "status", "requested_by", "decided_at", "decision_note"]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["id", "kind", "url", "taken_at", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, photo: CasePhoto) -> str:
        """The metadata-free public copy (the original with EXIF stays on the server)."""
        return photo.public.url if photo.public else ""


class CaseListSerializer(serializers.ModelSerializer):
    """A case in a list. Personal data is masked; ``reveal`` returns it in full and records that it did."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    alert_level_label = serializers.CharField(source="get_alert_level_display", read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    grid = AreaRefSerializer(read_only=True, allow_null=True)
    reporter_name_masked = serializers.SerializerMethodField()
    reporter_phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "title",
            "status",
            "status_label",
            "channel",
            "request_type",
            "category",
            "priority",
            "priority_label",
            "grid",
            "address",
            "reporter_name_masked",
            "reporter_phone_masked",
            "reported_at",
            "accept_by",
            "resolve_by",
            "alert_level",
            "alert_level_label",
            "version",
        ]
        read_only_fields = fields

    def get_reporter_name_masked(self, case: Case) -> str:
        return mask_name(case.reporter_name)

    def get_reporter_phone_masked(self, case: Case) -> str:
        return mask_phone(case.reporter_phone)


class CaseDetailSerializer(CaseListSerializer):
    """A case with its assignments, deadlines, time requests, photos and the verbs the user may do now
    (``available_actions``, computed by the view and passed in the context)."""

    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    request_type_label = serializers.CharField(source="get_request_type_display", read_only=True)
    owner_level_label = serializers.CharField(source="get_owner_level_display", read_only=True)
    owner_area = AreaRefSerializer(read_only=True)
    merged_into: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    assignments = AssignmentSerializer(many=True, read_only=True)
    time_requests = TimeRequestSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "channel_label",
            "request_type_label",
            "text",
            "lat",
            "lon",
            "area_path",
            "owner_level",
            "owner_level_label",
            "owner_area",
            "accepted_at",
            "dispatched_at",
            "resolved_at",
            "closed_at",
            "suspended_at",
            "deadline_provisional",
            "resolution",
            "satisfaction",
            "reopen_count",
            "merged_into",
            "assignments",
            "time_requests",
            "photos",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, case: Case) -> list[str]:
        return list(self.context.get("available_actions", []))


class CaseEventSerializer(serializers.ModelSerializer):
    verb_label = serializers.CharField(read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "verb",
            "verb_label",
            "actor",
            "at",
            "from_status",
            "to_status",
            "note",
            "data",
            "public",
        ]
        read_only_fields = fields

    def get_actor(self, event: CaseEvent) -> str | None:
        """The actor's display name (None for the system or an anonymous resident)."""
        return event.actor.display_name if event.actor is not None else None


class RevealSerializer(serializers.Serializer):
    reporter_name = serializers.CharField()
    reporter_phone = serializers.CharField()


# --- Input --------------------------------------------------------------------------------------------------------


def _note(**extra: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", **extra)


def _photos() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_PHOTOS,
        help_text="Photos (multipart), at most 9.",
    )


def _department(**extra: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(), **extra)


class ReportSerializer(serializers.Serializer):
    """A report taken by staff: a hotline call, a grid worker's patrol, a staff member's own report."""

    # All channels in the schema (one "channel" enum); only the staff channels are accepted here.
    channel = serializers.ChoiceField(
        choices=Channel.choices, help_text="hotline, grid_worker or staff (residents report through intake)."
    )
    text = serializers.CharField()
    title = _note(max_length=120)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    request_type = serializers.ChoiceField(choices=RequestType.choices, default=RequestType.OTHER)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    coord_system = serializers.ChoiceField(choices=COORD_SYSTEMS, default="wgs84")
    address = _note(max_length=255)
    grid = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text="Grid code.",
    )
    reporter_name = _note(max_length=64)
    reporter_phone = _note(max_length=20)
    photos = _photos()

    def validate_channel(self, value: str) -> str:
        if value not in STAFF_CHANNELS:
            raise serializers.ValidationError(
                _("Staff report through the hotline, grid worker or staff channel.")
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("lat") is None) != (attrs.get("lon") is None):
            field = "lon" if attrs.get("lat") is not None else "lat"
            raise serializers.ValidationError({field: _("Give both latitude and longitude.")})
        return attrs


class VerbSerializer(serializers.Serializer):
    """What every verb accepts: the version of the case the user saw (409 when it changed since)."""

    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The case version you saw; 409 if it changed since."
    )


class AcceptSerializer(VerbSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True), required=False
    )
    request_type = serializers.ChoiceField(choices=RequestType.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    note = _note()


class ReasonSerializer(VerbSerializer):
    reason = serializers.CharField()


class MergeSerializer(VerbSerializer):
    master = serializers.CharField(help_text="Number of the master case.")
    note = _note()


class ResultSerializer(VerbSerializer):
    result = serializers.CharField()
    photos = _photos()


class DispatchSerializer(VerbSerializer):
    lead = _department(help_text="Code of the lead department (主办).")
    helpers = _department(many=True, required=False, help_text="Codes of helper departments (协办).")
    note = _note()


class ReassignSerializer(VerbSerializer):
    lead = _department(help_text="Code of the new lead department.")
    helpers = _department(many=True, required=False)
    reason = serializers.CharField()


class CoordinateSerializer(VerbSerializer):
    lead = _department(help_text="Code of the lead department (主办).")
    helpers = _department(many=True, help_text="Codes of the helper departments (协办), at least one.")
    deadline = serializers.DateTimeField(
        help_text="The joint deadline, ISO 8601; without an offset it is Asia/Shanghai time."
    )
    instruction = serializers.CharField(help_text="What the center asks of the team (联动指挥).")


class EmptySerializer(VerbSerializer):
    pass


class PartSerializer(VerbSerializer):
    note = serializers.CharField(max_length=4000, help_text="What your department did (协办完成).")


class ExtensionSerializer(VerbSerializer):
    days = serializers.IntegerField(min_value=1, max_value=60, help_text="Working days.")
    reason = serializers.CharField()


class DecideSerializer(VerbSerializer):
    request = serializers.IntegerField(help_text="Id of the extension or suspension request.")
    approve = serializers.BooleanField()
    note = _note()


class NoteSerializer(VerbSerializer):
    note = _note()


class VerifySerializer(VerbSerializer):
    ok = serializers.BooleanField()
    note = _note()


class RateSerializer(VerbSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = _note()
    by_visit = serializers.BooleanField(default=False, help_text="Recorded on a phone visit (回访).")


class SuperviseSerializer(VerbSerializer):
    instruction = serializers.CharField()
    deadline = serializers.DateTimeField(help_text="ISO 8601; without an offset it is Asia/Shanghai time.")


class CommentSerializer(VerbSerializer):
    text = serializers.CharField()
    public = serializers.BooleanField(default=False, help_text="Shown to the reporter.")
