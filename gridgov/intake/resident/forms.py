"""Forms of the resident pages: the report, finding a case by number and phone, the rating.

They check what a person can correct on the page (length, phone format, photos by their content, the pin
inside the map's range); ``submit_report`` and ``report_case`` remain the authority and their
``ValidationError`` dicts come back onto these fields (``ReportForm.add_action_errors``).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import Satisfaction
from gridgov.cases.models import Category
from gridgov.cases.selectors import active_categories
from gridgov.core.images import ACCEPTED_FORMATS_LABEL
from gridgov.intake.fields import (
    LANDLINE,
    MOBILE,
    MultiplePhotoInput,
    PhotosField,
    max_photos,
    normalise_phone,
)

TEXT_MIN = 4
TEXT_MAX = 2000
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

#: Action error keys → the form field that shows them (the map's pin shows the coordinates' errors).
ERROR_FIELDS = {
    "text": "text",
    "title": "text",
    "address": "address",
    "lat": "lat",
    "lon": "lat",
    "grid": "lat",
    "photos": "photos",
    "reporter_name": "name",
    "reporter_phone": "phone",
    "category": "category",
}


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def valid_nonce(value: str) -> bool:
    return bool(_NONCE.match(value or ""))


class ReportForm(forms.Form):
    """The resident's report: what, where (a pin and/or an address), photos, and optionally who to call back."""

    text = forms.CharField(
        label=_("What is the problem?"),
        min_length=TEXT_MIN,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX, "data-report-text": ""}),
        error_messages={
            "required": _("Describe the problem."),
            "min_length": _(
                "Describe the problem in a few more words (at least %(limit_value)d characters)."
            ),
            "max_length": _("The description is too long: at most %(limit_value)d characters."),
        },
    )
    photos = PhotosField(
        label=_("Photos"),
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp", "data-photos": ""}),
    )
    category = forms.ModelChoiceField(
        label=_("Kind of problem"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Not sure (the center decides)"),
        error_messages={"invalid_choice": _("Choose one of the listed kinds.")},
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address", "data-address": ""}),
        error_messages={"max_length": _("The address is too long: at most %(limit_value)d characters.")},
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("The name is too long: at most %(limit_value)d characters.")},
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    nonce = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()  # type: ignore[attr-defined]
        self.fields["photos"].help_text = gettext(
            "Up to %(max)d photos (%(formats)s). Photos are published without their location data."
        ) % {"max": max_photos(), "formats": ACCEPTED_FORMATS_LABEL}

    def clean_text(self) -> str:
        return str(self.cleaned_data["text"]).strip()

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("phone") or "")
        if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
            raise ValidationError(
                _("Enter a mobile number (11 digits, e.g. 13812345678) or a landline with its area code."),
                code="phone",
            )
        return phone

    def clean_nonce(self) -> str:
        nonce = str(self.cleaned_data.get("nonce") or "")
        return nonce if valid_nonce(nonce) else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if (lat is None) != (lon is None):
            self.add_error("lat", _("The point on the map is incomplete; place the pin again."))
        return cleaned

    def add_action_errors(self, error: ValidationError) -> None:
        """Put the errors of ``submit_report`` / ``report_case`` next to the fields they concern."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            field = ERROR_FIELDS.get(key)
            for message in messages:
                self.add_error(field, message)


class FindForm(forms.Form):
    """Get the tracking link back: the case number and the last four digits of the phone given with it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    number = forms.CharField(
        label=_("Case number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages={"required": _("Enter the case number.")},
    )
    phone_last4 = forms.CharField(
        label=_("Last 4 digits of your phone number"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
        error_messages={
            "required": _("Enter the last 4 digits of your phone number."),
            "min_length": _("Enter exactly 4 digits."),
            "max_length": _("Enter exactly 4 digits."),
        },
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def clean_phone_last4(self) -> str:
        value = str(self.cleaned_data["phone_last4"]).strip()
        if not value.isdigit():
            raise ValidationError(_("Enter exactly 4 digits."), code="digits")
        return value


class RatingForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the result?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied, basically satisfied or dissatisfied.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={"max_length": _("The comment is too long: at most %(limit_value)d characters.")},
    )
