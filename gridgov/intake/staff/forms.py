"""Forms of the staff intake pages: the grid worker's patrol report and the hotline operator's call entry.

They check what the person can correct on the page (lengths, the phone number, photos by their content, a
complete GPS fix, a result when "resolved on the spot" is ticked). ``submit_report`` / ``report_case`` /
``resolve_in_grid`` stay the authority: their ``ValidationError`` and ``PermissionDenied`` come back onto these
forms through ``add_action_errors`` / ``add_permission_error``, with everything typed kept.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import RequestType
from gridgov.cases.models import Category
from gridgov.cases.selectors import active_categories
from gridgov.core.images import ACCEPTED_FORMATS_LABEL
from gridgov.geo.models import Area
from gridgov.intake.fields import (
    LANDLINE,
    MOBILE,
    MultiplePhotoInput,
    PhotosField,
    max_photos,
    normalise_phone,
)

TEXT_MAX = 2000
RESULT_MAX = 1000
_SHORT_SERVICE = re.compile(r"^\d{3,8}$")  # 110, 12345, an extension: the hotline sees such callers too


class CameraInput(MultiplePhotoInput):
    """``<input type=file multiple accept="image/*" capture="environment">``: the phone opens its back camera."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": "image/*", "capture": "environment", **(attrs or {})})


def _photos_help() -> str:
    return gettext("Up to %(max)d photos (%(formats)s).") % {
        "max": max_photos(),
        "formats": ACCEPTED_FORMATS_LABEL,
    }


class StaffIntakeForm(forms.Form):
    """What both forms share: mapping the actions' errors onto the fields."""

    #: action error key → field of this form (keys that name a field of the form go there directly).
    error_fields: dict[str, str] = {}

    def add_action_errors(self, error: ValidationError) -> None:
        """Put the errors of the intake and case actions next to the fields they concern."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for key, messages in error.message_dict.items():
            field: str | None = self.error_fields.get(key, key)
            if field not in self.fields:
                field = None
            for message in messages:
                self.add_error(field, message)
        self._remind_photos()

    def add_permission_error(self, message: str) -> None:
        self.add_error(None, message)
        self._remind_photos()

    def _remind_photos(self) -> None:
        # Browsers never fill a file input again: say so, or the photos would silently be lost.
        files = self.files
        if files and any(files.getlist(name) for name in files):
            self.add_error(None, gettext("Your entries are kept, but attach the photos again."))


def _category_field(*, required: bool, empty_label: Any) -> forms.ModelChoiceField[Category]:
    return forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        to_field_name="code",  # the suggestion names categories by code
        required=required,
        empty_label=empty_label,
        widget=forms.Select(attrs={"data-suggest-category": ""}),
        error_messages={
            "required": _("Choose the category."),
            "invalid_choice": _("Choose one of the listed categories."),
        },
    )


class PatrolForm(StaffIntakeForm):
    """巡查上报: what the worker saw, photos, where (a GPS fix, their grid or a place named), the category triage
    suggests and, when solved on the spot, the result."""

    error_fields = {"lon": "lat", "title": "text", "grid": "lat", "address": "lat"}

    text = forms.CharField(
        label=_("What did you find?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX, "data-suggest-text": ""}),
        error_messages={
            "required": _("Describe the problem."),
            "max_length": _("The description is too long: at most %(limit_value)d characters."),
        },
    )
    photos = PhotosField(label=_("Photos"), widget=CameraInput())
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Place or landmark (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"data-suggest-address": ""}),
        error_messages={"max_length": _("The place is too long: at most %(limit_value)d characters.")},
    )
    grid = forms.ModelChoiceField(
        label=_("Grid"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("From the location"),
        help_text=_("Used when there is no location fix."),
    )
    category = _category_field(required=True, empty_label=_("Choose…"))
    resolved = forms.BooleanField(
        label=_("Resolved on the spot"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-resolved-toggle": "", "aria-controls": "patrol-result"}),
    )
    result = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=RESULT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": RESULT_MAX}),
        error_messages={"max_length": _("The result is too long: at most %(limit_value)d characters.")},
    )
    result_photos = PhotosField(label=_("Photos of the result (optional)"), widget=CameraInput())

    def __init__(
        self,
        *args: Any,
        grids: QuerySet[Area],
        may_resolve: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()  # type: ignore[attr-defined]
        self.fields["photos"].help_text = _photos_help()
        self.fields["result_photos"].help_text = _photos_help()
        self.grid_choices = list(grids)
        if len(self.grid_choices) > 1:
            self.fields["grid"].queryset = grids  # type: ignore[attr-defined]
        else:
            del self.fields["grid"]
        #: With exactly one grid, a report without a location fix is in that grid.
        self.only_grid = self.grid_choices[0] if len(self.grid_choices) == 1 else None
        if not may_resolve:
            for name in ("resolved", "result", "result_photos"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if (lat is None) != (lon is None):
            self.add_error("lat", _("The location is incomplete; locate again."))
        if cleaned.get("resolved") and not str(cleaned.get("result") or "").strip():
            self.add_error("result", _("Describe what was done on the spot."))
        if not cleaned.get("resolved"):
            cleaned["result"] = ""
            cleaned["result_photos"] = []
        return cleaned

    def report_grid(self) -> Area | None:
        """The grid to report in when there is no location fix: the one chosen, or the worker's only grid."""
        if self.cleaned_data.get("lat") is not None:
            return None
        chosen: Area | None = self.cleaned_data.get("grid")
        return chosen or self.only_grid


class HotlineForm(StaffIntakeForm):
    """热线录入: the caller, what they want, where; the center taking the call holds it if no place is found."""

    error_fields = {
        "lat": "address",
        "lon": "address",
        "grid": "address",
        "title": "text",
        "priority": "urgent",
    }

    reporter_name = forms.CharField(
        label=_("Caller's name"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": "", "autocomplete": "off"}),
        error_messages={"max_length": _("The name is too long: at most %(limit_value)d characters.")},
    )
    reporter_phone = forms.CharField(
        label=_("Caller's phone number"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Summary of the call"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX, "data-suggest-text": ""}),
        error_messages={
            "required": _("Summarise what the caller reports."),
            "max_length": _("The summary is too long: at most %(limit_value)d characters."),
        },
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-suggest-address": ""}),
        error_messages={"max_length": _("The address is too long: at most %(limit_value)d characters.")},
    )
    request_type = forms.ChoiceField(
        label=_("Request type"),
        required=False,
        choices=[("", _("As triage suggests")), *RequestType.choices],
        widget=forms.Select(attrs={"data-suggest-request-type": ""}),
        error_messages={"invalid_choice": _("Choose one of the listed request types.")},
    )
    category = _category_field(required=False, empty_label=_("As triage suggests, or the center decides"))
    urgent = forms.BooleanField(
        label=_("Urgent"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-suggest-urgent": ""}),
    )
    external_id = forms.CharField(
        label=_("Hotline work order number (optional)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _("The number is too long: at most %(limit_value)d characters.")},
    )
    center = forms.ModelChoiceField(
        label=_("Command center taking the call"),
        queryset=Area.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose the command center."),
            "invalid_choice": _("Choose one of your command centers."),
        },
    )

    def __init__(self, *args: Any, centers: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()  # type: ignore[attr-defined]
        self.center_choices = list(centers)
        if len(self.center_choices) > 1:
            self.fields["center"].queryset = centers  # type: ignore[attr-defined]
        else:
            del self.fields["center"]

    def clean_reporter_name(self) -> str:
        return str(self.cleaned_data.get("reporter_name") or "").strip()

    def clean_reporter_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("reporter_phone") or "")
        if phone and not (MOBILE.match(phone) or LANDLINE.match(phone) or _SHORT_SERVICE.match(phone)):
            raise ValidationError(
                _("Enter a mobile number (11 digits, e.g. 13812345678) or a landline with its area code."),
                code="phone",
            )
        return phone

    def clean_external_id(self) -> str:
        return str(self.cleaned_data.get("external_id") or "").strip()

    def intake_area(self) -> Area | None:
        chosen: Area | None = self.cleaned_data.get("center")
        if chosen is not None:
            return chosen
        return self.center_choices[0] if self.center_choices else None
